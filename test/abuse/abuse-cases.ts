/**
 * The abuse suite's cases: for each route, its worst legal inputs (just under each size and
 * row limit, in every content type it takes) and the just-too-large ones. Bodies are built as
 * Buffers in the test process; the API under test runs in its own process (api-process.ts).
 */

/** BATCH_MAX_BYTES and BATCH_MAX_ROWS as configured by default. */
export const MAX_BYTES = 50 * 1024 * 1024;
export const MAX_ROWS = 100_000;

export interface AbuseContext {
  /** The id of the large batch created by an earlier case, for the export cases. */
  batchId?: string;
}

export interface AbuseCase {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: (ctx: AbuseContext) => string;
  contentType?: string;
  body?: () => Buffer;
  /** The answers that are right; anything else (a 5xx above all) fails the case. */
  expect: number[];
  /** Runs only at full scale (slow: it writes 100,000 rows). */
  fullOnly?: boolean;
  after?: (ctx: AbuseContext, answer: { status: number; body: string }) => void;
}

/** `{"items":[0,0,...]}` of exactly `bytes` bytes: the body that took the API down. */
function zerosBody(bytes: number): Buffer {
  const body = Buffer.alloc(bytes, '0,');
  body.write('{"items":[', 0);
  // The pattern may end on either byte; the last element is a 0 in any case.
  body.write('0]}', bytes - 3);
  if (body[bytes - 4] !== 0x2c) body[bytes - 4] = 0x2c;
  if (body[10] !== 0x30) body[10] = 0x30;
  return body;
}

function jsonItems(count: number, item: (i: number) => string): Buffer {
  const parts: string[] = ['{"name":"abuse","items":['];
  for (let i = 0; i < count; i++) parts.push(i ? `,${item(i)}` : item(i));
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

function csvRowsBody(count: number, row: (i: number) => string): Buffer {
  const parts: string[] = ['prompt,ref\n'];
  for (let i = 0; i < count; i++) parts.push(`${row(i)}\n`);
  return Buffer.from(parts.join(''));
}

const prompt = (i: number, length: number) => `scene ${i} ${'a calm sea at dawn, '.repeat(Math.ceil(length / 20))}`.slice(0, length);

function multipart(boundary: string, file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="abuse.csv"\r\nContent-Type: text/csv\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

/** A row of `cells` empty cells after a prompt: the CSV that held 2.8 GB. */
function wideRow(bytes: number): Buffer {
  const body = Buffer.alloc(bytes, ',');
  body.write('prompt\np', 0);
  body[bytes - 1] = 0x0a;
  return body;
}

export function abuseCases(scale: 'short' | 'full'): AbuseCase[] {
  const full = scale === 'full';
  const bigRows = full ? MAX_ROWS : 10_000;
  const json = 'application/json';
  const batches = () => '/v1/batches';
  const cases: AbuseCase[] = [
    // POST /v1/batches, JSON
    {
      name: 'json batch: {"items":[0,0,...]} of 51,380,235 bytes (25.7M items)',
      method: 'POST',
      path: batches,
      contentType: json,
      body: () => zerosBody(51_380_235),
      expect: [413],
    },
    { name: 'json batch: 1 byte over the 50 MB limit', method: 'POST', path: batches, contentType: json, body: () => zerosBody(MAX_BYTES + 1), expect: [413] },
    {
      name: `json batch: ${MAX_ROWS + 1} items (one over the row limit)`,
      method: 'POST',
      path: batches,
      contentType: json,
      body: () => jsonItems(MAX_ROWS + 1, () => '{"prompt":"p"}'),
      expect: [413],
    },
    {
      name: `json batch: ${bigRows} items with 200-zero metadata arrays, all invalid (every row parsed and checked)`,
      method: 'POST',
      path: batches,
      contentType: json,
      body: () => jsonItems(bigRows, () => `{"prompt":"p","count":9,"metadata":{"z":[${'0,'.repeat(199)}0]}}`),
      expect: [422],
    },
    {
      name: `json batch: ${bigRows} items of 480-character prompts (${full ? '~50 MB' : '~5 MB'}), accepted`,
      method: 'POST',
      path: batches,
      contentType: json,
      body: () => jsonItems(bigRows, (i) => JSON.stringify({ prompt: prompt(i, 480), ref: `r${i}` })),
      expect: [201],
      fullOnly: true,
    },
    {
      name: 'json batch: one item nested 100,000 levels deep',
      method: 'POST',
      path: batches,
      contentType: json,
      body: () => Buffer.from(`{"items":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`),
      expect: [400],
    },
    {
      name: 'json batch: one 49 MB string item',
      method: 'POST',
      path: batches,
      contentType: json,
      body: () => Buffer.from(`{"items":["${'x'.repeat(49 * 1024 * 1024)}"]}`),
      expect: [413],
    },
    // POST /v1/batches, CSV (text/csv and multipart)
    {
      name: 'csv: one row of 51 million empty cells (49 MB)',
      method: 'POST',
      path: batches,
      contentType: 'text/csv',
      body: () => wideRow(49 * 1024 * 1024),
      expect: [413],
    },
    {
      name: 'multipart csv: one row of 51 million empty cells (49 MB)',
      method: 'POST',
      path: batches,
      contentType: 'multipart/form-data; boundary=abuseboundary',
      body: () => multipart('abuseboundary', wideRow(49 * 1024 * 1024)),
      expect: [413],
    },
    {
      name: 'csv: one 49 MB quoted cell',
      method: 'POST',
      path: batches,
      contentType: 'text/csv',
      body: () => Buffer.from(`prompt\n"${'x'.repeat(49 * 1024 * 1024)}"\n`),
      expect: [413],
    },
    {
      name: `csv: ${MAX_ROWS + 1} rows (one over the row limit)`,
      method: 'POST',
      path: batches,
      contentType: 'text/csv',
      body: () => csvRowsBody(MAX_ROWS + 1, (i) => `p${i},`),
      expect: [413],
    },
    {
      name: 'csv: 1 byte over the 50 MB limit',
      method: 'POST',
      path: batches,
      contentType: 'text/csv',
      body: () => Buffer.alloc(MAX_BYTES + 1, 'prompt\n'),
      expect: [413],
    },
    {
      name: `csv: ${bigRows} rows of 480-character prompts (${full ? '~50 MB' : '~5 MB'}), accepted`,
      method: 'POST',
      path: batches,
      contentType: 'text/csv',
      body: () => csvRowsBody(bigRows, (i) => `"${prompt(i, 480)}",r${i}`),
      expect: [201],
      after: (ctx, answer) => {
        ctx.batchId = (JSON.parse(answer.body) as { id: string }).id;
      },
    },
    // The exports of that batch
    {
      name: `GET results?format=csv of the ${bigRows}-row batch`,
      method: 'GET',
      path: (ctx) => `/v1/batches/${ctx.batchId}/results?format=csv`,
      expect: [200],
    },
    {
      name: `GET results?format=json of the ${bigRows}-row batch`,
      method: 'GET',
      path: (ctx) => `/v1/batches/${ctx.batchId}/results?format=json`,
      expect: [200],
    },
    {
      name: 'GET batch jobs with cursor=2147483648',
      method: 'GET',
      path: (ctx) => `/v1/batches/${ctx.batchId}/jobs?cursor=2147483648&limit=1000`,
      expect: [400],
    },
    // POST /v1/jobs and the other JSON routes: 1 MB body limit
    {
      name: 'POST /v1/jobs: 1 MB of zeros in metadata (just under the limit)',
      method: 'POST',
      path: () => '/v1/jobs',
      contentType: json,
      body: () => Buffer.from(`{"prompt":"p","metadata":{"z":[${'0,'.repeat(524_000)}0]}}`),
      expect: [202, 400],
    },
    {
      name: 'POST /v1/jobs: 1 MB of nesting',
      method: 'POST',
      path: () => '/v1/jobs',
      contentType: json,
      body: () => Buffer.from(`{"prompt":"p","metadata":${'['.repeat(524_000)}${']'.repeat(524_000)}}`),
      expect: [400],
    },
    {
      name: 'POST /v1/jobs: 1 byte over 1 MB',
      method: 'POST',
      path: () => '/v1/jobs',
      contentType: json,
      body: () => Buffer.from(`{"prompt":"${'x'.repeat(1_048_576 - 12)}"}`),
      expect: [413],
    },
    {
      name: 'POST /v1/keys: 1 MB of zeros',
      method: 'POST',
      path: () => '/v1/keys',
      contentType: json,
      body: () => Buffer.from(`{"name":"k","z":[${'0,'.repeat(524_000)}0]}`),
      expect: [400],
    },
    {
      name: 'PATCH /v1/accounts/:email: 1 MB of zeros',
      method: 'PATCH',
      path: () => '/v1/accounts/abuse@flowq.test',
      contentType: json,
      body: () => Buffer.from(`{"z":[${'0,'.repeat(524_000)}0]}`),
      expect: [400, 404],
    },
    {
      name: 'POST useapi callback: 1 MB of zeros, unknown job',
      method: 'POST',
      path: () => '/v1/webhooks/useapi/job_x/secret',
      contentType: json,
      body: () => Buffer.from(`{"z":[${'0,'.repeat(524_000)}0]}`),
      expect: [404],
    },
    { name: 'GET with a 15 KB path segment', method: 'GET', path: () => `/v1/jobs/${'a'.repeat(15_000)}`, expect: [414] },
  ];
  return cases.filter((c) => full || !c.fullOnly);
}
