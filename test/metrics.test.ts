import { waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMetrics, sample } from './support/promtool';
import { startFlowq, type FlowqUnderTest } from './support/start-flowq';

const A1 = 'acct-1@flowq.test';
const TOKEN = 'metrics-scrape-token';

let flowq: FlowqUnderTest | undefined;
afterEach(async () => {
  await flowq?.stop();
  flowq = undefined;
});

async function scrape(url: string, token: string | null = TOKEN): Promise<Response> {
  return fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe('GET /metrics', () => {
  it('on the API and on the worker: protected by METRICS_TOKEN, valid for promtool, and telling what happened', async () => {
    flowq = await startFlowq('metrics', {
      env: { METRICS_TOKEN: TOKEN, METRICS_PORT: '0', ACCOUNT_MAX_CONCURRENT: '1', COOLDOWN_AFTER_429S: '3' },
    });
    flowq.sim.faults.failNextSubmits({ kind: 'throttled', email: A1, count: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: `metrics ${i}`, count: 2 } });
      ids.push(((await res.json()) as { id: string }).id);
    }
    await waitFor(
      async () => {
        const all = await Promise.all(ids.map(async (id) => ((await (await flowq!.request(`/v1/jobs/${id}`)).json()) as { status: string }).status));
        return all.every((s) => s === 'succeeded') || null;
      },
      { timeoutMs: 20_000, what: 'four jobs to succeed' },
    );

    const apiUrl = `${flowq.api.address}/metrics`;
    expect((await scrape(apiUrl, null)).status).toBe(401);
    expect((await scrape(apiUrl, 'wrong-token')).status).toBe(401);
    const workerUrl = flowq.worker.metricsUrl!;
    expect(workerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await scrape(workerUrl, null)).status).toBe(401);

    const apiRes = await scrape(apiUrl);
    expect(apiRes.status).toBe(200);
    expect(apiRes.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const api = await apiRes.text();
    const worker = await (await scrape(workerUrl)).text();
    for (const text of [api, worker]) expect(checkMetrics(text)).toEqual({ status: 0, problems: '' });

    // The system's state, from Postgres and Redis.
    expect(sample(api, 'flowq_figures_up')).toBe(1);
    expect(sample(api, 'flowq_jobs', { status: 'succeeded', kind: 'single' })).toBe(4);
    expect(sample(api, 'flowq_account_state', { account: A1, state: 'cooling' })).toBe(1);
    expect(sample(api, 'flowq_account_state', { account: A1, state: 'active' })).toBe(0);
    expect(sample(api, 'flowq_account_throttled_15m', { account: A1 })).toBe(3);
    expect(sample(api, 'flowq_account_cooling_until_seconds', { account: A1 })).toBeGreaterThan(Date.now() / 1000 + 3000);
    expect(sample(api, 'flowq_account_slots_limit', { account: A1 })).toBe(1);
    expect(sample(api, 'flowq_account_slots_in_use', { account: 'acct-2@flowq.test' })).toBe(0);
    expect(sample(api, 'flowq_waiting_room_jobs')).toBe(0);
    expect(sample(api, 'flowq_queue_jobs', { state: 'completed' })).toBeGreaterThanOrEqual(4);
    // Two veo-3.1-fast clips a job, priced at the tier of the account that made it: 10 on Ultra (acct-1), 20 elsewhere.
    const accountsUsed = await Promise.all(ids.map(async (id) => ((await (await flowq!.request(`/v1/jobs/${id}`)).json()) as { account: string }).account));
    expect(sample(api, 'flowq_credits_spent', { model: 'veo-3.1-fast' })).toBe(accountsUsed.reduce((sum, a) => sum + 2 * (a === A1 ? 10 : 20), 0));
    expect(sample(api, 'flowq_callback_deliveries_total', { result: 'accepted' })).toBeGreaterThan(0);
    expect(sample(api, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // What this worker did itself.
    expect(sample(worker, 'flowq_upstream_answers_total', { operation: 'submitVideo', code: '429' })).toBe(3);
    expect(sample(worker, 'flowq_upstream_answers_total', { operation: 'submitVideo', code: '201', reason: 'none' })).toBe(4);
    expect(sample(worker, 'flowq_job_duration_seconds_count', { status: 'succeeded' })).toBe(4);
    expect(sample(worker, 'flowq_step_duration_seconds_count', { result: 'done' })).toBe(4);
    expect(sample(worker, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Archiving: four jobs of two clips, each a video and a thumbnail, copied into the store.
    expect(sample(worker, 'flowq_archived_files_total', { kind: 'video' })).toBe(8);
    expect(sample(worker, 'flowq_archived_files_total', { kind: 'thumbnail' })).toBe(8);
    expect(sample(worker, 'flowq_archived_bytes_total')).toBeGreaterThan(8 * 1000);

    // Labels stay bounded: no job ids, no upstream job ids.
    for (const text of [api, worker]) expect(text).not.toMatch(/job_[0-9a-z]{10}|email:acct/);
  });
});
