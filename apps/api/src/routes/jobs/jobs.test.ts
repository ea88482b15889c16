import { findJob } from '@flowq/db';
import { bullPriority } from '@flowq/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('jobs-api');
});
afterAll(async () => t.close());

const post = (body: unknown, headers: Record<string, string> = t.auth) => t.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload: body as object });

describe('POST /v1/jobs validation: 400 naming the field and the reason, nothing queued', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['prompt missing', {}, 'prompt', /required/],
    ['prompt blank', { prompt: '   ' }, 'prompt', /required/],
    ['count 0', { prompt: 'x', count: 0 }, 'count', /1 to 4/],
    ['count 5', { prompt: 'x', count: 5 }, 'count', /1 to 4/],
    ['count not integer', { prompt: 'x', count: 1.5 }, 'count', /1 to 4/],
    ['seed negative', { prompt: 'x', seed: -1 }, 'seed', />= 0/],
    ['seed not integer', { prompt: 'x', seed: 2.5 }, 'seed', />= 0/],
    ['unknown model', { prompt: 'x', model: 'veo-9' }, 'model', /must be one of/],
    ['bad aspect ratio', { prompt: 'x', aspectRatio: 'square' }, 'aspectRatio', /landscape, portrait/],
    ['end frame without start frame', { prompt: 'x', endImage: 'user:1-email:61-image:e' }, 'endImage', /requires startImage/],
    [
      'reference images with a start frame',
      { prompt: 'x', startImage: 'user:1-email:61-image:s', referenceImage_1: 'user:1-email:61-image:r' },
      'referenceImage_1',
      /cannot be combined/,
    ],
    ['reference images on quality', { prompt: 'x', model: 'veo-3.1-quality', referenceImage_2: 'r' }, 'referenceImage_2', /no reference images/],
    ['a 4th reference image on Veo', { prompt: 'x', referenceImage_4: 'r' }, 'referenceImage_4', /at most 3/],
    ['Veo reference images at 6 s', { prompt: 'x', duration: 6, referenceImage_1: 'r' }, 'duration', /8 s only/],
    ['retired model, with its replacement', { prompt: 'x', model: 'veo-3.1-fast-relaxed' }, 'model', /retired.*use veo-3\.1-lite-low-priority/],
    ['duration not offered', { prompt: 'x', duration: 5 }, 'duration', /4, 6, 8, 10/],
    ['10 s on Veo', { prompt: 'x', duration: 10 }, 'duration', /omni-flash only/],
    ['quality is 8 s only', { prompt: 'x', model: 'veo-3.1-quality', duration: 4 }, 'duration', /takes 8 s/],
    ['360p on Veo', { prompt: 'x', resolution: '360p' }, 'resolution', /omni-flash only/],
    ['unknown resolution', { prompt: 'x', resolution: '4k' }, 'resolution', /720p, 360p/],
    ['1:1 on omni-flash', { prompt: 'x', model: 'omni-flash', aspectRatio: '1:1' }, 'aspectRatio', /landscape, portrait/],
    ['captchaRetry out of range', { prompt: 'x', captchaRetry: 11 }, 'captchaRetry', /1 to 10/],
    ['both captcha options', { prompt: 'x', captchaRetry: 3, captchaOrder: 'CapSolver' }, 'captchaOrder', /captchaRetry/],
    ['bad email', { prompt: 'x', email: 'not-an-email' }, 'email', /email/],
    ['priority out of range', { prompt: 'x', priority: 101 }, 'priority', /0 to 100/],
    ['unknown field', { prompt: 'x', aspect_ratio: 'landscape' }, 'aspect_ratio', /not a known field/],
    ['async is ours, not the client', { prompt: 'x', async: false }, 'async', /not a known field/],
  ];
  it.each(cases)('%s', async (_name, body, field, message) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('validation_failed');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(field);
  });

  it('rejects malformed JSON with 400, not 500', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...t.auth, 'content-type': 'application/json' }, payload: '{"prompt":' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBeTruthy();
  });

  it.each([
    ['veo-3.1-lite 6 s landscape', { model: 'veo-3.1-lite', duration: 6, aspectRatio: 'landscape' }],
    ['omni-flash 10 s portrait 360p', { model: 'omni-flash', duration: 10, aspectRatio: 'portrait', resolution: '360p' }],
    ['veo-3.1-fast 1:1', { model: 'veo-3.1-fast', aspectRatio: '1:1' }],
    [
      'R2V on veo-3.1-lite-low-priority in portrait',
      { model: 'veo-3.1-lite-low-priority', aspectRatio: 'portrait', referenceImage_1: 'r1', referenceImage_3: 'r3' },
    ],
    ['omni-flash with seven references', Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`referenceImage_${n}`, 'r']).concat([['model', 'omni-flash']]))],
  ])('accepts %s', async (_name, fields) => {
    const res = await post({ prompt: 'x', ...fields });
    expect(res.statusCode).toBe(202);
    expect(res.json().request).toMatchObject(fields);
  });
});

describe('POST /v1/jobs acceptance', () => {
  it('answers 202 with the job, committed in Postgres and queued in BullMQ before the answer', async () => {
    const res = await post({ prompt: '  a fox in snow ', count: 3, seed: 5, priority: 80, metadata: { ref: 'abc' } });
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(job).toMatchObject({
      status: 'queued',
      request: { prompt: 'a fox in snow', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 3, seed: 5 },
      priority: 80,
      metadata: { ref: 'abc' },
      account: null,
      upstreamJobId: null,
      attempts: 0,
      result: null,
      error: null,
      completedAt: null,
    });
    expect(job.id).toMatch(/^job_/);
    expect(res.headers.location).toBe(`/v1/jobs/${job.id}`);
    expect((await findJob(t.db.db, job.id))?.status).toBe('queued');
    const queued = await t.queue.getJob(job.id);
    expect(queued?.data).toEqual({ jobId: job.id });
    // Clients say "higher is sooner"; BullMQ runs lower numbers first.
    expect(queued?.opts.priority).toBe(bullPriority(80));
    expect(bullPriority(80)).toBeLessThan(bullPriority(50));
    expect(JSON.stringify(job)).not.toContain('callbackSecret');
  });

  it('commits requests that arrive together as groups, each answered with its own row and queued at its own priority', async () => {
    const figure = async (name: string) => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const [countBefore, sumBefore] = [await figure('flowq_intake_group_size_count'), await figure('flowq_intake_group_size_sum')];
    const n = 200;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => post({ prompt: `group ${i}`, priority: i % 101, metadata: { i } })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(n).fill(202));
    const jobs = answers.map((a) => a.json() as { id: string; request: { prompt: string }; priority: number; metadata: { i: number } });
    expect(new Set(jobs.map((j) => j.id)).size).toBe(n);
    for (const [i, job] of jobs.entries()) {
      expect(job).toMatchObject({ request: { prompt: `group ${i}` }, priority: i % 101, metadata: { i } });
    }
    const rows = await Promise.all(jobs.map((j) => findJob(t.db.db, j.id)));
    expect(rows.map((r) => r?.request.prompt)).toEqual(jobs.map((_, i) => `group ${i}`));
    const queued = await Promise.all(jobs.map((j) => t.queue.getJob(j.id)));
    expect(queued.map((q) => q?.opts.priority)).toEqual(jobs.map((_, i) => bullPriority(i % 101)));
    // Fewer writes than requests: requests waited for the write in flight and went together.
    const groups = (await figure('flowq_intake_group_size_count')) - countBefore;
    expect((await figure('flowq_intake_group_size_sum')) - sumBefore).toBe(n);
    expect(groups).toBeGreaterThan(0);
    expect(groups).toBeLessThan(n / 2);
  });

  it('reads a job back and 404s an unknown one', async () => {
    const { id } = (await post({ prompt: 'read me' })).json();
    const res = await t.app.inject({ url: `/v1/jobs/${id}`, headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(id);
    const missing = await t.app.inject({ url: '/v1/jobs/job_nope', headers: t.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('lists jobs newest first with keyset pagination and a status filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post({ prompt: `page ${i}` })).json().id);
    await t.app.inject({ method: 'POST', url: `/v1/jobs/${ids[0]}/cancel`, headers: t.auth });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/jobs?status=queued&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ url, headers: t.auth })).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const j of page.items) expect(j.status).toBe('queued');
      seen.push(...page.items.map((j: { id: string }) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort().reverse());
    for (const id of ids.slice(1)) expect(seen).toContain(id);
    expect(seen).not.toContain(ids[0]);
    const bad = await t.app.inject({ url: '/v1/jobs?limit=0', headers: t.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('limit');
  });
});

describe('authentication and the service routes', () => {
  it('answers 401 without a key or with a wrong one', async () => {
    const none = await post({ prompt: 'x' }, {});
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await post({ prompt: 'x' }, { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    expect((await t.app.inject({ url: '/v1/jobs' })).statusCode).toBe(401);
    expect((await post({ prompt: 'x' }, { authorization: 'Bearer second-key-abcdefghijkl' })).statusCode).toBe(202);
  });

  it('serves health, readiness, the OpenAPI document and Swagger UI', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ ok: true });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ postgres: 'ok', redis: 'ok', useapi: 'ok' });
    const doc = (await t.app.inject('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/v1/jobs'].post.requestBody.content['application/json'].schema).toBeDefined();
    expect(JSON.stringify(doc)).toContain('referenceImage_1');
    expect(doc.paths['/v1/webhooks/useapi/{jobId}/{secret}']).toBeUndefined();
    const ui = await t.app.inject('/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['x-content-type-options']).toBe('nosniff');
  });

  it('puts Bull Board behind basic auth', async () => {
    expect((await t.app.inject('/admin/queues')).statusCode).toBe(401);
    const wrong = Buffer.from('admin:nope').toString('base64');
    expect((await t.app.inject({ url: '/admin/queues', headers: { authorization: `Basic ${wrong}` } })).statusCode).toBe(401);
    const right = Buffer.from('admin:board-pw').toString('base64');
    const page = await t.app.inject({ url: '/admin/queues', headers: { authorization: `Basic ${right}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html');
    const api = await t.app.inject({ url: '/admin/queues/api/queues', headers: { authorization: `Basic ${right}` } });
    expect(api.statusCode).toBe(200);
    expect(JSON.stringify(api.json())).toContain('generate');
  });
});
