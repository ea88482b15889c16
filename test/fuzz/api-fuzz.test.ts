import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../apps/api/src/test-app';
import { hostileJson, hostileString, hugeString, mostlyText, rawBytes, Tally, watchProcess, withDeadline } from './fuzz-support';

/** Inputs per property; docs/reliability.md ("Fuzzing") quotes these numbers. */
export const API_FUZZ_RUNS = { jobsJson: 400, jobsFields: 400, jobsRaw: 300, reads: 300, keysAndWebhooks: 200 };

let t: Awaited<ReturnType<typeof buildTestApp>>;
const tally = new Tally();
const watch = watchProcess();
beforeAll(async () => {
  // No rate limit: the fuzzer is one key sending far more than a client would.
  t = await buildTestApp('fuzz-api', { RATE_LIMIT_PER_MINUTE: '0' });
});
afterAll(async () => {
  watch.stop();
  console.log(tally.report('API fuzz'));
  await t?.close();
});

/** encodeURIComponent, with lone surrogates (which it refuses) as U+FFFD: raw % sequences are tried separately. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

const JOB_FIELDS = [
  'prompt',
  'model',
  'aspectRatio',
  'duration',
  'resolution',
  'count',
  'seed',
  'email',
  'startImage',
  'endImage',
  'referenceImage_1',
  'priority',
  'metadata',
];
/** A value of the right type as often as a wrong one, so the fuzzer gets past the first check. */
const fieldValue = fc.oneof(
  hostileJson,
  hostileString(),
  hugeString,
  fc.constantFrom('veo-3.1-fast', 'landscape', 'portrait', 1, 4, 100, 'user:1-email:61-image:s'),
);

describe('the API answers malformed requests with 4xx, never 5xx', () => {
  it('POST /v1/jobs with any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, async (body) => {
        const res = await withDeadline(
          t.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
        );
        tally.check('POST /v1/jobs json', res, body);
      }),
      { numRuns: API_FUZZ_RUNS.jobsJson },
    );
  });

  it('POST /v1/jobs with job fields of every type, huge strings and control characters', async () => {
    // A valid request with up to two fields replaced, so both the accepted and the refused paths run.
    const valid = fc.record(
      {
        prompt: mostlyText(30).filter((p) => p.trim().length > 0),
        model: fc.constantFrom('veo-3.1-fast', 'veo-3.1-quality', 'veo-3.1-lite', 'omni-flash', 'veo-3.1-fast-relaxed'),
        aspectRatio: fc.constantFrom('landscape', 'portrait', '1:1'),
        duration: fc.constantFrom(4, 6, 8, 10),
        resolution: fc.constantFrom('720p', '360p'),
        count: fc.integer({ min: 1, max: 4 }),
        seed: fc.nat(),
        metadata: hostileJson,
      },
      { requiredKeys: ['prompt'] },
    );
    const mutations = fc.array(fc.tuple(fc.constantFrom(...JOB_FIELDS, 'unknown'), fieldValue), { maxLength: 2 });
    await fc.assert(
      fc.asyncProperty(
        valid,
        mutations,
        fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: mostlyText(300) }),
        async (base, changes, idemKey) => {
          const payload: Record<string, unknown> = { ...base, ...Object.fromEntries(changes) };
          const headers: Record<string, string> = { ...t.auth, 'content-type': 'application/json' };
          // Header values cannot carry control characters; whatever survives HTTP is tried.
          const key = idemKey?.replace(/[^\x20-\x7e]/g, '');
          if (key !== undefined) headers['idempotency-key'] = key;
          const res = await withDeadline(t.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload: JSON.stringify(payload) }));
          tally.check('POST /v1/jobs fields', res, payload);
        },
      ),
      { numRuns: API_FUZZ_RUNS.jobsFields },
    );
  });

  it('POST /v1/jobs and /v1/batches with bodies that are not JSON under a JSON content type', async () => {
    const body = fc.oneof(
      hostileString(80),
      rawBytes.map((b) => Buffer.from(b)),
      hostileJson.map((v) => JSON.stringify(v)?.slice(0, -1) ?? '{'),
      fc.constantFrom(
        '',
        '{',
        '{"prompt":',
        'null',
        '[]',
        '"\\ud800"',
        '{"prompt":"\\u0000"}',
        '{"__proto__":{"admin":true},"prompt":"x"}',
        '{"constructor":{"prototype":{}}}',
        '\uFEFF{"prompt":"bom"}',
        '{"prompt":"x"}{"prompt":"y"}',
        '{"prompt":"x","count":1e400}',
      ),
      fc.integer({ min: 10, max: 200_000 }).map((n) => `{"prompt":"deep","metadata":${'['.repeat(n)}${']'.repeat(n)}}`),
      fc.integer({ min: 10, max: 100_000 }).map((n) => `{"items":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.constantFrom('/v1/jobs', '/v1/batches'), async (payload, type, url) => {
        const res = await withDeadline(t.app.inject({ method: 'POST', url, headers: { ...t.auth, 'content-type': type }, payload }));
        tally.check(`POST ${url} raw`, res, typeof payload === 'string' ? payload : payload.toString('base64'));
      }),
      { numRuns: API_FUZZ_RUNS.jobsRaw },
    );
  });

  it('reads with any id, query string and Authorization header', async () => {
    const path = fc.oneof(
      hostileString(30).map((id) => `/v1/jobs/${enc(id)}`),
      hostileString(30).map((id) => `/v1/batches/${enc(id)}`),
      hostileString(30).map((id) => `/v1/batches/${enc(id)}/results`),
      hostileString(30).map((id) => `/v1/accounts/${enc(id)}`),
      fc.constantFrom(
        '/v1/jobs',
        '/v1/batches',
        '/v1/accounts',
        '/v1/keys',
        '/v1/jobs/%',
        '/v1/jobs/%zz',
        '/v1/jobs/..%2F..%2Fetc',
        '/v1//jobs',
        '/docs/../v1/jobs',
      ),
    );
    const query = fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'format', 'x', 'limit[]', '__proto__'), hostileString(12), { maxKeys: 3 });
    const auth = fc.oneof(
      fc.constant(t.auth.authorization),
      hostileString(40).map((s) => `Bearer ${s}`.replace(/[^\x20-\x7e]/g, '')),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer api-test-key-0123456789', `Bearer ${'k'.repeat(5000)}`, 'Basic YWRtaW46Ym9hcmQtcHc='),
    );
    await fc.assert(
      fc.asyncProperty(path, query, auth, fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH'), async (p, q, authorization, method) => {
        const search = new URLSearchParams(q as Record<string, string>).toString();
        const url = `${p}${search ? `?${search}` : ''}`;
        const res = await withDeadline(t.app.inject({ method, url, headers: { authorization } }));
        tally.check('reads and routes', res, { method, url, authorization: authorization.slice(0, 40) });
      }),
      { numRuns: API_FUZZ_RUNS.reads },
    );
  });

  it('POST /v1/keys, PATCH /v1/accounts and the webhook with any body', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, hostileString(20), fc.constantFrom(0, 1, 2), async (body, id, which) => {
        const target = [
          { method: 'POST' as const, url: '/v1/keys' },
          { method: 'PATCH' as const, url: `/v1/accounts/${enc(`${id}@x.test`)}` },
          { method: 'POST' as const, url: `/v1/webhooks/useapi/${enc(id) || 'job_x'}/${enc(id) || 's'}` },
        ][which]!;
        const res = await withDeadline(
          t.app.inject({ ...target, headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? 'null' }),
        );
        tally.check(`${target.method} ${target.url.split('/').slice(0, 3).join('/')}`, res, body);
      }),
      { numRuns: API_FUZZ_RUNS.keysAndWebhooks },
    );
  });

  it('tried every input, and nothing escaped to the process', () => {
    const expected = API_FUZZ_RUNS.jobsJson + API_FUZZ_RUNS.jobsFields + API_FUZZ_RUNS.jobsRaw + API_FUZZ_RUNS.reads + API_FUZZ_RUNS.keysAndWebhooks;
    expect(tally.total()).toBeGreaterThanOrEqual(expected);
    expect(watch.escaped).toEqual([]);
  });
});
