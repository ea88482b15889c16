import { batches, jobs, markFailed, markRunning, markSubmitting, markSucceeded } from '@flowq/db';
import { BATCH_PRIORITY, bullPriority } from '@flowq/queue';
import { parse } from 'csv-parse/sync';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../apps/api/src/test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let small: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  [t, small] = await Promise.all([buildTestApp('batches-api'), buildTestApp('batches-limits', { BATCH_MAX_ROWS: '5', BATCH_MAX_BYTES: '2000' })]);
});
afterAll(async () => Promise.all([t?.close(), small?.close()]));

function postCsv(app: typeof t, csv: string | Buffer, query = '', contentType = 'text/csv') {
  return app.app.inject({ method: 'POST', url: `/v1/batches${query}`, headers: { ...app.auth, 'content-type': contentType }, payload: csv });
}
const postJson = (body: unknown, query = '') =>
  t.app.inject({ method: 'POST', url: `/v1/batches${query}`, headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const get = (url: string) => t.app.inject({ url, headers: t.auth });
const rowsOf = (batchId: string) => t.db.db.select().from(jobs).where(eq(jobs.batchId, batchId)).orderBy(asc(jobs.batchRow));

describe('POST /v1/batches with CSV', () => {
  it('reads BOM, ";" delimiter, CRLF and quoted prompts holding the delimiter, quotes and newlines; queues every row in one unit', async () => {
    const csv =
      '\uFEFFPrompt;REF;Model;Count;campaign\r\n' +
      '"a fox; in ""deep""\r\nsnow";fox-1;veo-3.1-quality;2;winter\r\n' +
      'plain prompt;;;;\r\n' +
      '"three, lines\nof\ntext";t-3;;;spring\r\n';
    const res = await postCsv(t, csv, '?name=animals&defaults=' + encodeURIComponent(JSON.stringify({ count: 3, aspectRatio: 'portrait' })));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: 'animals', total: 3, accepted: 3, rejected: 0, errors: [] });
    expect(res.headers.location).toBe(`/v1/batches/${body.id}`);

    const rows = await rowsOf(body.id);
    expect(rows.map((r) => [r.batchRow, r.ref, r.request.prompt, r.request.model, r.request.count, r.request.aspectRatio, r.metadata])).toEqual([
      [1, 'fox-1', 'a fox; in "deep"\r\nsnow', 'veo-3.1-quality', 2, 'portrait', { campaign: 'winter' }],
      [2, null, 'plain prompt', 'veo-3.1-fast', 3, 'portrait', null],
      [3, 't-3', 'three, lines\nof\ntext', 'veo-3.1-fast', 3, 'portrait', { campaign: 'spring' }],
    ]);
    for (const r of rows) {
      expect(r.status).toBe('queued');
      expect(r.priority).toBe(BATCH_PRIORITY);
      const queued = await t.queue.getJob(r.id);
      expect(queued?.data).toEqual({ jobId: r.id });
      expect(queued?.opts.priority).toBe(bullPriority(BATCH_PRIORITY, r.batchRow));
    }
    const batch = (await get(`/v1/batches/${body.id}`)).json();
    expect(batch).toMatchObject({ status: 'active', total: 3, accepted: 3, counts: { queued: 3, succeeded: 0 } });
    // Priced at the dearest tier that may run them: quality 100 x 2 clips + fast 20 x 3 + fast 20 x 3
    expect(batch.credits).toEqual({ spent: 0, estimatedRemaining: 320, maxCredits: null, committed: 0 });
  });

  it('detects a tab delimiter, takes ?delimiter=, and accepts a multipart "file" field', async () => {
    const tabbed = await postCsv(t, 'prompt\tseed\nfirst\t5\nsecond\t6\n');
    expect(tabbed.json()).toMatchObject({ accepted: 2 });
    expect((await rowsOf(tabbed.json().id)).map((r) => r.request.seed)).toEqual([5, 6]);

    // Told ";" the commas are part of the prompt.
    const told = await postCsv(t, 'prompt;seed\na, b, c;1\n', '?delimiter=;');
    expect((await rowsOf(told.json().id))[0]!.request.prompt).toBe('a, b, c');

    const boundary = 'flowqboundary123';
    const multipart =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="prompts.csv"\r\nContent-Type: text/csv\r\n\r\n` +
      'prompt,ref\nfrom multipart,m-1\n' +
      `\r\n--${boundary}--\r\n`;
    const res = await postCsv(t, multipart, '', `multipart/form-data; boundary=${boundary}`);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'prompts.csv', accepted: 1 });
    expect((await rowsOf(res.json().id))[0]).toMatchObject({ ref: 'm-1', request: { prompt: 'from multipart' } });
  });

  const bad = 'prompt,count,model,aspectRatio,referenceImage_1\nok one,1,,,\n,2,,,\nok two,7,veo-9,,\nok three,,veo-3.1-quality,,r1\nok four,,,,\n';

  it('onInvalid=reject (default): 422 listing every bad row with column and message, and nothing written or queued', async () => {
    const before = await t.queue.count();
    const res = await postCsv(t, bad);
    expect(res.statusCode).toBe(422);
    const { error } = res.json();
    expect(error.code).toBe('invalid_rows');
    expect(error.total).toBe(3);
    expect(error.message).toMatch(/3 of 5 rows are invalid; nothing was queued/);
    expect(error.rows).toEqual([
      { row: 2, column: 'prompt', message: 'is required' },
      { row: 3, column: 'model', message: expect.stringMatching(/must be one of/) },
      { row: 3, column: 'count', message: 'must be an integer from 1 to 4' },
      { row: 4, column: 'referenceImage_1', message: 'veo-3.1-quality takes no reference images' },
    ]);
    expect(await t.queue.count()).toBe(before);
    const all = await t.db.db.select().from(batches);
    expect(all.some((b) => b.total === 5)).toBe(false);
    expect(
      (
        await t.db.db
          .select()
          .from(jobs)
          .where(eq(jobs.request, { prompt: 'ok one' } as never))
      ).length,
    ).toBe(0);
  });

  it('onInvalid=skip: valid rows are queued, invalid ones reported the same way and shown in the results as rejected', async () => {
    const res = await postCsv(t, bad, '?onInvalid=skip');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ total: 5, accepted: 2, rejected: 3 });
    expect(body.errors.map((e: { row: number }) => e.row)).toEqual([2, 3, 3, 4]);
    expect((await rowsOf(body.id)).map((r) => r.batchRow)).toEqual([1, 5]);
    const csv = (await get(`/v1/batches/${body.id}/results?format=csv`)).body;
    const lines = parse(csv, { columns: true }) as Record<string, string>[];
    expect(lines.map((l) => [l.row, l.status, l.error_code])).toEqual([
      ['1', 'queued', ''],
      ['2', 'rejected', 'invalid_row'],
      ['3', 'rejected', 'invalid_row'],
      ['4', 'rejected', 'invalid_row'],
      ['5', 'queued', ''],
    ]);
    expect(lines[2]!.error_message).toBe(
      'model: must be one of veo-3.1-lite, veo-3.1-lite-low-priority, veo-3.1-fast, veo-3.1-quality, omni-flash; count: must be an integer from 1 to 4',
    );
  });

  it('lists the first 1,000 problems and counts them all', async () => {
    const csv = `prompt,count\n${Array.from({ length: 1_200 }, (_, i) => `p${i},9`).join('\n')}\n`;
    const res = await postCsv(t, csv);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.rows).toHaveLength(1_000);
    expect(res.json().error.total).toBe(1_200);
  });

  it('answers 400 saying which: empty file, no prompt column, header only, not CSV, broken quoting', async () => {
    const cases: [string | Buffer, RegExp][] = [
      ['', /file: is empty/],
      ['\uFEFF\r\n\r\n', /file: is empty/],
      ['text,model\nhello,veo-3.1-fast\n', /file: has no prompt column \(header: text, model\)/],
      ['prompt,model\n', /file: has a header but no rows/],
      [
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
        /file: is not a CSV file \(it contains binary data\)/,
      ],
      ['prompt\n"never closed\n', /file: is not valid CSV/],
    ];
    for (const [payload, message] of cases) {
      const res = await postCsv(t, payload);
      expect(res.statusCode, String(message)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'file' });
      expect(res.json().error.message).toMatch(message);
    }
    const badDefault = await postCsv(t, 'prompt\nx\n', '?model=veo-9');
    expect(badDefault.statusCode).toBe(400);
    expect(badDefault.json().error.field).toBe('defaults.model');
  });

  it('answers 413 past the row or byte limit, and keeps nothing', async () => {
    const rows = await postCsv(small, `prompt\n${'p\n'.repeat(6)}`);
    expect(rows.statusCode).toBe(413);
    expect(rows.json().error).toMatchObject({ code: 'payload_too_large', message: 'file: has more than the limit of 5 rows' });
    const bytes = await postCsv(small, `prompt\n${`${'x'.repeat(500)}\n`.repeat(5)}`);
    expect(bytes.statusCode).toBe(413);
    expect(bytes.json().error.message).toBe('file: is larger than the limit of 2000 bytes');
    const json = await small.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: { ...small.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ items: [{ prompt: 'x'.repeat(3000) }] }),
    });
    expect(json.statusCode).toBe(413);
    expect(await small.db.db.select().from(jobs)).toEqual([]);
    expect(await small.queue.count()).toBe(0);
    expect((await postCsv(small, `prompt\n${'p\n'.repeat(5)}`)).statusCode).toBe(201);
  });
});

describe('POST /v1/batches with JSON', () => {
  it('applies defaults under each item, keeps ref and metadata, and validates items like jobs', async () => {
    const res = await postJson({
      name: 'json batch',
      defaults: { model: 'veo-3.1-quality', count: 2 },
      items: [
        { prompt: 'one', ref: 'a' },
        { prompt: 'two', count: 1, metadata: { k: 1 }, priority: 70 },
      ],
    });
    expect(res.statusCode).toBe(201);
    const rows = await rowsOf(res.json().id);
    expect(rows.map((r) => [r.ref, r.request.model, r.request.count, r.metadata, r.priority])).toEqual([
      ['a', 'veo-3.1-quality', 2, null, BATCH_PRIORITY],
      [null, 'veo-3.1-quality', 1, { k: 1 }, 70],
    ]);
    expect((await t.queue.getJob(rows[1]!.id))?.opts.priority).toBe(bullPriority(70, 2));

    const typo = await postJson({ items: [{ prompt: 'x', aspect_ratio: 'portrait' }, 'just text'] });
    expect(typo.statusCode).toBe(422);
    expect(typo.json().error.rows).toEqual([
      { row: 1, column: 'aspect_ratio', message: 'is not a known field' },
      { row: 2, column: '', message: 'must be an object with at least a prompt' },
    ]);
    const noItems = await postJson({ name: 'x' });
    expect(noItems.statusCode).toBe(400);
    expect(noItems.json().error.field).toBe('items');
    expect((await postJson({ items: [] })).json().error.message).toMatch(/items: must hold at least one item/);
  });
});

describe('following, exporting, cancelling and retrying a batch', () => {
  it('pages batches and batch jobs, exports in input order with videos, seeds and errors, cancels and retries', async () => {
    const created = (
      await postCsv(t, `ref,prompt,count\n${Array.from({ length: 6 }, (_, i) => `r${i + 1},prompt ${i + 1},2`).join('\n')}\n`, '?name=flow')
    ).json();
    const rows = await rowsOf(created.id);
    const video = (n: number) => ({
      url: `https://v/${n}.mp4`,
      thumbnailUrl: `https://v/${n}.jpg`,
      seed: n,
      mediaGenerationId: null,
      status: 'succeeded' as const,
    });
    // Row 1 succeeds with two clips, row 2 fails, row 3 is running, rows 4-6 stay queued.
    await markSubmitting(t.db.db, rows[0]!.id, 'a@x');
    await markRunning(t.db.db, rows[0]!.id, 'a@x', 'up-1');
    // Two veo-3.1-fast clips on an Ultra account: 2 x 10.
    await markSucceeded(t.db.db, rows[0]!.id, { videos: [video(11), video(12)] }, 20);
    await markFailed(t.db.db, rows[1]!.id, { code: 'content_policy', message: 'unsafe, "really"' });
    await markSubmitting(t.db.db, rows[2]!.id, 'a@x');
    await markRunning(t.db.db, rows[2]!.id, 'a@x', 'up-3');

    const view = (await get(`/v1/batches/${created.id}`)).json();
    expect(view.counts).toMatchObject({ succeeded: 1, failed: 1, running: 1, queued: 3 });
    // Four jobs left, 2 clips each, priced at the dearest tier (20 a fast clip on a non-Ultra account).
    expect(view.credits).toEqual({ spent: 20, estimatedRemaining: 160, maxCredits: null, committed: 0 });
    expect(view.startedAt).not.toBeNull();
    expect(view.throughputPerMinute).toBeGreaterThan(0);
    expect(view.etaSeconds).toBeGreaterThan(0);

    const failedPage = (await get(`/v1/batches/${created.id}/jobs?status=failed`)).json();
    expect(failedPage.items.map((j: { ref: string }) => j.ref)).toEqual(['r2']);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { batchRow: number }[]; nextCursor: string | null } = (
        await get(`/v1/batches/${created.id}/jobs?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.items.map((j) => j.batchRow));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);

    const exported = await get(`/v1/batches/${created.id}/results?format=csv`);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const lines = parse(exported.body, { columns: true }) as Record<string, string>[];
    expect(Object.keys(lines[0]!)).toEqual([
      'ref',
      'row',
      'prompt',
      'status',
      'video_1_url',
      'thumbnail_1_url',
      'video_2_url',
      'thumbnail_2_url',
      'seeds',
      'error_code',
      'error_message',
    ]);
    expect(lines.map((l) => l.ref)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(lines[0]).toMatchObject({
      row: '1',
      prompt: 'prompt 1',
      status: 'succeeded',
      video_1_url: 'https://v/11.mp4',
      thumbnail_2_url: 'https://v/12.jpg',
      seeds: '11 12',
    });
    expect(lines[1]).toMatchObject({ status: 'failed', error_code: 'content_policy', error_message: 'unsafe, "really"' });
    const json = JSON.parse((await get(`/v1/batches/${created.id}/results?format=json`)).body) as Record<string, unknown>[];
    expect(json.map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(json[0]).toMatchObject({ videos: [{ url: 'https://v/11.mp4' }, { url: 'https://v/12.mp4' }], seeds: [11, 12], error: null });

    const list = (await get('/v1/batches?limit=1')).json();
    expect(list.items[0].id).toBe(created.id);
    expect(list.nextCursor).toBe(created.id);
    expect((await get(`/v1/batches?cursor=${list.nextCursor}&limit=200`)).json().items.map((b: { id: string }) => b.id)).not.toContain(created.id);

    const cancelled = (await t.app.inject({ method: 'POST', url: `/v1/batches/${created.id}/cancel`, headers: t.auth })).json();
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: 3, counts: { queued: 0, running: 1, cancelled: 3 } });
    expect((await rowsOf(created.id)).map((r) => r.status)).toEqual(['succeeded', 'failed', 'running', 'cancelled', 'cancelled', 'cancelled']);

    // The running job ends; the batch is then done.
    await markSucceeded(t.db.db, rows[2]!.id, { videos: [video(31)] });
    const ended = (await get(`/v1/batches/${created.id}`)).json();
    expect(ended.status).toBe('cancelled');
    expect(ended.finishedAt).not.toBeNull();

    // The failed row's BullMQ job is finished; a retry replaces it by a fresh one.
    const old = await t.queue.getJob(rows[1]!.id);
    await old?.moveToCompleted(undefined, '0', false).catch(() => undefined);
    const retried = (await t.app.inject({ method: 'POST', url: `/v1/batches/${created.id}/retry?status=failed`, headers: t.auth })).json();
    expect(retried).toMatchObject({ requeued: 1, status: 'active', counts: { queued: 1, failed: 0 } });
    const again = (await rowsOf(created.id))[1]!;
    expect(again).toMatchObject({ status: 'queued', attempts: 0, error: null });
    const requeued = await t.queue.getJob(again.id);
    expect(await requeued?.getState()).toBe('prioritized');
    expect(requeued?.opts.priority).toBe(bullPriority(BATCH_PRIORITY, 2));

    expect((await get('/v1/batches/bat_nope')).statusCode).toBe(404);
    expect((await get('/v1/batches/bat_nope/results')).statusCode).toBe(404);
  });

  it('puts two batches submitted together round-robin in the queue, ten rows at a time, behind interactive jobs', async () => {
    const { app, queue } = t;
    await queue.obliterate({ force: true });
    const csv = (tag: string) => `ref,prompt\n${Array.from({ length: 25 }, (_, i) => `${tag}${i + 1},${tag} ${i + 1}`).join('\n')}\n`;
    await postCsv(t, csv('A'));
    await postCsv(t, csv('B'));
    const single = (await app.inject({ method: 'POST', url: '/v1/jobs', headers: t.auth, payload: { prompt: 'interactive' } })).json().id;
    const refOf = new Map((await t.db.db.select().from(jobs)).map((r) => [r.id, r.ref ?? 'single']));
    const order = (await queue.getPrioritized(0, -1))
      .sort((x, y) => x.opts.priority! - y.opts.priority! || x.timestamp - y.timestamp)
      .map((j) => refOf.get(j.id!));
    expect(order[0]).toBe('single');
    const run = (tag: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${tag}${from + i}`);
    expect(order.slice(1).map((r) => r!.slice(0, 1))).toEqual([
      ...'A'.repeat(10),
      ...'B'.repeat(10),
      ...'A'.repeat(10),
      ...'B'.repeat(10),
      ...'A'.repeat(5),
      ...'B'.repeat(5),
    ]);
    expect(order.slice(1, 11)).toEqual(run('A', 1, 10));
    expect(order.slice(11, 21)).toEqual(run('B', 1, 10));
  });
});
