import { FlowqError } from '@flowq/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRows } from '../../apps/api/src/batches/csv-rows';
import { buildTestApp } from '../../apps/api/src/test-app';
import { hostileString, hugeString, mostlyText, rawBytes, Tally, watchProcess, withDeadline } from './fuzz-support';

/** Inputs per property; docs/reliability.md ("Fuzzing") quotes these numbers. */
export const CSV_FUZZ_RUNS = { parser: 1_000, upload: 400, multipart: 150 };

let t: Awaited<ReturnType<typeof buildTestApp>>;
const tally = new Tally();
const watch = watchProcess();
beforeAll(async () => {
  t = await buildTestApp('fuzz-csv', { RATE_LIMIT_PER_MINUTE: '0', BATCH_MAX_ROWS: '200', BATCH_MAX_BYTES: String(256 * 1024) });
});
afterAll(async () => {
  watch.stop();
  console.log(tally.report('CSV fuzz'));
  await t?.close();
});

const header = fc.constantFrom(
  'prompt',
  'prompt,count',
  'prompt;model',
  'Prompt;REF;Count',
  'prompt,model,count,aspectRatio,seed,ref,campaign',
  '\uFEFFprompt\tcount\tref',
  '"prompt","ref"',
  '"pro""mpt",x',
  'ref,count',
  'prompt,prompt',
  '',
  'prompt,"unterminated',
);
/** CSV's own troublemakers without NUL (the damaged variants below bring NULs and bad bytes in on purpose). */
const csvPiece = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
  { weight: 3, arbitrary: fc.constantFrom(',', ';', '\t', '"', '""', '\r\n', '\n', '\r', ' ', '\uFEFF', '\u2028', '“', '🎬', '\u001b', '\u007f', '\\') },
);
const cell = fc.oneof(
  { weight: 6, arbitrary: fc.array(csvPiece, { maxLength: 8 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: hostileString(8).map((h) => h.replaceAll('\u0000', '')) },
  { weight: 2, arbitrary: fc.constantFrom('1', '4', '9', '-1', '1.5', 'veo-3.1-fast', 'veo-9', 'portrait', 'square', '', '""', '"a ""quoted"" one"', '"open') },
  { weight: 1, arbitrary: hugeString },
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '\n\n', '');
const csvText = fc
  .tuple(header, fc.array(fc.tuple(fc.array(cell, { minLength: 1, maxLength: 8 }), fc.constantFrom(',', ';', '\t', '|'), lineEnd), { maxLength: 25 }), lineEnd)
  .map(([h, rows, end]) => `${h}\n${rows.map(([cells, d, e]) => cells.join(d) + e).join('')}${end}`);

/** CSV-ish text, then damaged: another encoding, raw bytes spliced in, cut short, or nothing but bytes. */
const csvBytes = fc.oneof(
  { weight: 14, arbitrary: csvText.map((s) => Buffer.from(s, 'utf8')) },
  { weight: 1, arbitrary: csvText.map((s) => Buffer.from(s, 'latin1')) },
  { weight: 1, arbitrary: csvText.map((s) => Buffer.from(s, 'utf16le')) },
  {
    weight: 2,
    arbitrary: fc.tuple(csvText, rawBytes, fc.nat()).map(([s, bytes, at]) => {
      const buf = Buffer.from(s, 'utf8');
      const cut = buf.length ? at % buf.length : 0;
      return Buffer.concat([buf.subarray(0, cut), Buffer.from(bytes), buf.subarray(cut)]);
    }),
  },
  { weight: 1, arbitrary: fc.tuple(csvText, fc.nat()).map(([s, at]) => Buffer.from(s, 'utf8').subarray(0, at % (s.length + 1))) },
  { weight: 1, arbitrary: rawBytes.map((b) => Buffer.from(b)) },
);

/** The same bytes cut into chunks at random places (a multi-byte character may be split). */
function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (buf.length ? c % buf.length : 0)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  out.push(buf.subarray(from));
  return out.filter((c) => c.length > 0);
}

describe('the CSV parser', () => {
  it('reads or refuses with a 4xx FlowqError any bytes in any chunking, and never throws anything else', async () => {
    await fc.assert(
      fc.asyncProperty(csvBytes, fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom(undefined, ',', ';', '\t'), async (buf, cuts, delimiter) => {
        async function* source() {
          for (const c of chunked(buf, cuts)) yield c;
        }
        let rows = 0;
        try {
          for await (const row of csvRows(source(), { maxBytes: 256 * 1024, ...(delimiter ? { delimiter: delimiter as ',' } : {}) })) {
            expect(row).toBeTypeOf('object');
            rows++;
          }
        } catch (err) {
          if (!(err instanceof FlowqError) || err.status >= 500) throw err;
        }
        tally.check('csvRows', { statusCode: 200, body: '' }, rows);
      }),
      { numRuns: CSV_FUZZ_RUNS.parser },
    );
  });
});

describe('POST /v1/batches with damaged CSV', () => {
  // Valid parameters most of the time, so most uploads reach the parser; one broken parameter now and then.
  const validQuery = fc.record(
    {
      delimiter: fc.constantFrom(',', ';', 'tab'),
      onInvalid: fc.constantFrom('skip', 'reject'),
      model: fc.constantFrom('veo-3.1-fast', 'veo-3.1-quality'),
      count: fc.constantFrom('1', '2'),
      name: mostlyText(12),
    },
    { requiredKeys: [] },
  );
  const brokenParam = fc.constantFrom<[string, string]>(
    ['delimiter', '|'],
    ['delimiter', '\u0000'],
    ['onInvalid', 'maybe'],
    ['defaults', '{'],
    ['defaults', '{"model":"veo-9"}'],
    ['defaults', '{"__proto__":{"count":3}}'],
    ['count', 'x'],
    ['name', '\uD800'],
  );
  const query = fc
    .tuple(validQuery, fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: brokenParam }))
    .map(([q, broken]) => (broken ? { ...q, [broken[0]]: broken[1] } : q) as Record<string, string>);

  it('answers every upload with 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(csvBytes, query, fc.constantFrom('text/csv', 'text/plain', 'application/csv', 'text/tab-separated-values'), async (payload, q, type) => {
        const search = new URLSearchParams(q).toString();
        const res = await withDeadline(t.app.inject({ method: 'POST', url: `/v1/batches?${search}`, headers: { ...t.auth, 'content-type': type }, payload }));
        tally.check('POST /v1/batches csv', res, { q, payload: payload.toString('base64').slice(0, 200) });
      }),
      { numRuns: CSV_FUZZ_RUNS.upload },
    );
  });

  it('answers every multipart upload, broken envelopes included, with 2xx or 4xx', async () => {
    const envelope = fc.tuple(
      csvBytes,
      fc.constantFrom('file', 'file', 'file', 'upload', ''),
      fc.constantFrom('ok', 'ok', 'ok', 'no-closing', 'no-boundary', 'two-files', 'field-first', 'garbage-headers'),
    );
    await fc.assert(
      fc.asyncProperty(envelope, async ([csv, field, shape]) => {
        const b = 'fuzzBoundary';
        const part = (name: string, body: Buffer) =>
          Buffer.concat([
            Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="f.csv"\r\nContent-Type: text/csv\r\n\r\n`),
            body,
            Buffer.from('\r\n'),
          ]);
        let payload: Buffer;
        if (shape === 'two-files') payload = Buffer.concat([part(field, csv), part(field, csv), Buffer.from(`--${b}--\r\n`)]);
        else if (shape === 'field-first')
          payload = Buffer.concat([
            Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n`),
            part(field, csv),
            Buffer.from(`--${b}--\r\n`),
          ]);
        else if (shape === 'garbage-headers')
          payload = Buffer.concat([Buffer.from(`--${b}\r\n\u0000\u00ff: ::\r\n\r\n`), csv, Buffer.from(`\r\n--${b}--\r\n`)]);
        else if (shape === 'no-closing') payload = part(field, csv);
        else payload = Buffer.concat([part(field, csv), Buffer.from(`--${b}--\r\n`)]);
        const type = shape === 'no-boundary' ? 'multipart/form-data' : `multipart/form-data; boundary=${b}`;
        const res = await withDeadline(t.app.inject({ method: 'POST', url: '/v1/batches', headers: { ...t.auth, 'content-type': type }, payload }));
        tally.check('POST /v1/batches multipart', res, { field, shape });
      }),
      { numRuns: CSV_FUZZ_RUNS.multipart },
    );
  });

  it('tried every input, and nothing escaped to the process', async () => {
    expect(tally.total()).toBe(CSV_FUZZ_RUNS.parser + CSV_FUZZ_RUNS.upload + CSV_FUZZ_RUNS.multipart);
    expect(watch.escaped).toEqual([]);
    // The API still answers after all of it.
    expect((await t.app.inject({ url: '/v1/batches', headers: t.auth })).statusCode).toBe(200);
  });
});
