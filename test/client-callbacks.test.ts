import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { apiKeyId, createCallbackBodies, createCallbackDispatcher, createCallbackSecrets } from '@flowq/api';
import { createGuardedAgent } from '@flowq/core';
import { insertApiKey, insertJob, listCallbackDeliveries, markSubmitting, markSucceeded } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The recipe the docs show, run against real deliveries.
import { verifyFlowqSignature } from '../docs/examples/verify-callback.mjs';
import { startCallbackReceiver, type CallbackReceiver } from './support/callback-receiver';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';
import { jobUntilDone } from './support/job-until-done';

const run = promisify(execFile);
const BOOTSTRAP_SECRET = 'test-webhook-secret-0123456789';

let flowq: FlowqUnderTest;
let receiver: CallbackReceiver;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  flowq = await startFlowq('client-callbacks', {
    env: {
      SSRF_ALLOWLIST: '127.0.0.1',
      CALLBACK_POLL_MS: '100',
      CALLBACK_RETRY_BASE_MS: '100',
      CALLBACK_RETRY_MAX_MS: '400',
      CALLBACK_TIMEOUT_MS: '500',
    },
  });
});
afterAll(async () => {
  await flowq?.stop();
  await receiver?.close();
});

async function post(path: string, json: unknown, key?: string) {
  return flowq.request(path, { method: 'POST', json, ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}) });
}

function callbacksFor(id: string) {
  return receiver.received.filter((r) => JSON.parse(r.raw.toString()).id === id);
}

async function deliveries(id: string) {
  return (await (await flowq.request(`/v1/jobs/${id}/deliveries`)).json()) as { items: Record<string, any>[] };
}

describe('client callbacks', () => {
  it('calls the job back once it ends, signed so that the documented Node and Python recipes verify it', async () => {
    receiver.answer(() => 200);
    const res = await post('/v1/jobs', { prompt: 'a kite over dunes', callbackUrl: receiver.url });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const job = await jobUntilDone(flowq, id, 15_000);
    expect(job.status).toBe('succeeded');
    const [call] = await waitFor(() => (callbacksFor(id).length ? callbacksFor(id) : null), { what: 'the callback' });
    expect(call!.headers['flowq-event']).toBe('job.succeeded');
    expect(call!.headers['flowq-delivery-id']).toMatch(/^dlv_/);
    expect(call!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(call!.raw.toString());
    expect(body).toMatchObject({ id, status: 'succeeded', callbackUrl: receiver.url });
    expect(body.result.videos).toHaveLength(1);

    const signature = String(call!.headers['flowq-signature']);
    expect(verifyFlowqSignature(BOOTSTRAP_SECRET, signature, call!.raw)).toBe(true);
    expect(verifyFlowqSignature('another-secret-0123456789', signature, call!.raw)).toBe(false);
    expect(verifyFlowqSignature(BOOTSTRAP_SECRET, signature, Buffer.concat([call!.raw, Buffer.from(' ')]))).toBe(false);

    const python = (body: Buffer, secret: string) => {
      const child = run('python3', ['docs/examples/verify_callback.py', secret, signature]);
      child.child.stdin!.end(body);
      return child.then(
        () => true,
        () => false,
      );
    };
    expect(await python(call!.raw, BOOTSTRAP_SECRET)).toBe(true);
    expect(await python(call!.raw, 'another-secret-0123456789')).toBe(false);

    const { items } = await waitFor(async () => {
      const d = await deliveries(id);
      return d.items[0]?.status === 'delivered' ? d : null;
    });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: call!.headers['flowq-delivery-id'], event: 'job.succeeded', status: 'delivered', attempts: 1 });
    expect(items[0]!.attemptLog).toMatchObject([{ attempt: 1, statusCode: 200, error: null }]);
  });

  it('retries an error and a receiver that does not answer in time, with the same delivery id, until a 2xx', async () => {
    const res = await post('/v1/jobs', { prompt: 'retry me', callbackUrl: receiver.url });
    const { id } = (await res.json()) as { id: string };
    let mine = 0;
    receiver.answer(() => {
      mine++;
      return mine === 1 ? 500 : mine === 2 ? 'hang' : 200;
    });
    await jobUntilDone(flowq, id, 15_000);
    const d = await waitFor(
      async () => {
        const list = await deliveries(id);
        return list.items[0]?.status === 'delivered' ? list.items[0] : null;
      },
      { what: 'the retried delivery' },
    );
    receiver.answer(() => 200);
    const calls = callbacksFor(id);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers['flowq-delivery-id']))).toEqual(new Set([d.id]));
    expect(d.attempts).toBe(3);
    expect(d.attemptLog.map((a: { statusCode: number | null }) => a.statusCode)).toEqual([500, null, 200]);
    expect(d.attemptLog[1].error).toMatch(/no answer within 500 ms/);
    for (const c of calls) expect(verifyFlowqSignature(BOOTSTRAP_SECRET, String(c.headers['flowq-signature']), c.raw)).toBe(true);
    // Every attempt sends the same bytes.
    expect(new Set(calls.map((c) => c.raw.toString())).size).toBe(1);
  });

  it('announces a cancelled job as job.cancelled', async () => {
    await flowq.worker.runtime.worker.pause();
    try {
      const { id } = (await (await post('/v1/jobs', { prompt: 'never mind', callbackUrl: receiver.url })).json()) as { id: string };
      expect((await post(`/v1/jobs/${id}/cancel`, undefined)).status).toBe(200);
      const [call] = await waitFor(() => (callbacksFor(id).length ? callbacksFor(id) : null), { what: 'the cancel callback' });
      expect(call!.headers['flowq-event']).toBe('job.cancelled');
      expect(JSON.parse(call!.raw.toString()).status).toBe('cancelled');
    } finally {
      flowq.worker.runtime.worker.resume();
    }
  });

  it('calls a batch back once, when its last job has ended', async () => {
    const res = await post('/v1/batches', { name: 'cb', callbackUrl: receiver.url, items: [{ prompt: 'one' }, { prompt: 'two' }, { prompt: 'three' }] });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [call] = await waitFor(() => (callbacksFor(id).length ? callbacksFor(id) : null), { what: 'the batch callback' });
    expect(call!.headers['flowq-event']).toBe('batch.completed');
    const body = JSON.parse(call!.raw.toString());
    expect(body).toMatchObject({ id, status: 'finished', accepted: 3 });
    expect(body.counts.succeeded).toBe(3);
    expect(verifyFlowqSignature(BOOTSTRAP_SECRET, String(call!.headers['flowq-signature']), call!.raw)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(callbacksFor(id)).toHaveLength(1);
    expect((await listCallbackDeliveries(flowq.db.db, { batchId: id })).map((d) => d.status)).toEqual(['delivered']);
  });

  it("signs with the key's own secret, shown once at creation and rotatable; another key cannot read the deliveries", async () => {
    const created = (await (await post('/v1/keys', { name: 'team-a' })).json()) as { id: string; key: string; signingSecret: string };
    expect(created.signingSecret).toMatch(/^fqsig_/);
    const listed = await (await flowq.request('/v1/keys')).text();
    expect(listed).not.toContain(created.signingSecret);
    const [row] = await flowq.db.pool.query('select signing_secret from api_keys where id = $1', [created.id]).then((r) => r.rows);
    expect(row.signing_secret).not.toContain(created.signingSecret.slice(6));

    const first = (await (await post('/v1/jobs', { prompt: 'team a', callbackUrl: receiver.url }, created.key)).json()) as { id: string };
    const [call] = await waitFor(() => (callbacksFor(first.id).length ? callbacksFor(first.id) : null), { what: 'the key callback' });
    expect(verifyFlowqSignature(created.signingSecret, String(call!.headers['flowq-signature']), call!.raw)).toBe(true);
    expect(verifyFlowqSignature(BOOTSTRAP_SECRET, String(call!.headers['flowq-signature']), call!.raw)).toBe(false);

    const rotated = (await (await post(`/v1/keys/${created.id}/signing-secret`, undefined)).json()) as { signingSecret: string };
    expect(rotated.signingSecret).not.toBe(created.signingSecret);
    const second = (await (await post('/v1/jobs', { prompt: 'team a again', callbackUrl: receiver.url }, created.key)).json()) as { id: string };
    const [call2] = await waitFor(() => (callbacksFor(second.id).length ? callbacksFor(second.id) : null), { what: 'the rotated callback' });
    expect(verifyFlowqSignature(rotated.signingSecret, String(call2!.headers['flowq-signature']), call2!.raw)).toBe(true);
    expect(verifyFlowqSignature(created.signingSecret, String(call2!.headers['flowq-signature']), call2!.raw)).toBe(false);

    const other = (await (await post('/v1/keys', { name: 'team-b' })).json()) as { key: string };
    const res = await flowq.request(`/v1/jobs/${first.id}/deliveries`, { headers: { authorization: `Bearer ${other.key}` } });
    expect(res.status).toBe(404);
    expect((await flowq.request(`/v1/jobs/${first.id}/deliveries`, { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(200);
  });

  it.each([
    ['http://example.com/hook', /https/],
    ['https://10.1.2.3/hook', /private/],
    ['https://192.168.0.9/hook', /private/],
    ['https://[::1]/hook', /loopback/],
    ['https://169.254.169.254/latest', /link-local/],
    ['https://localhost/hook', /this machine/],
    ['https://user:pw@example.com/hook', /credentials/],
    ['ftp://example.com/hook', /http/],
    ['not a url', /absolute/],
  ])('refuses the callbackUrl %s with a 400 naming it, and stores no job', async (url, why) => {
    const before = await flowq.db.pool.query('select count(*)::int as n from jobs');
    const res = await post('/v1/jobs', { prompt: 'x', callbackUrl: url });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; field: string; message: string } };
    expect(error).toMatchObject({ code: 'validation_failed', field: 'callbackUrl' });
    expect(error.message).toMatch(why);
    const batch = await post('/v1/batches', { callbackUrl: url, items: [{ prompt: 'x' }] });
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as { error: { field: string } }).error.field).toBe('callbackUrl');
    const after = await flowq.db.pool.query('select count(*)::int as n from jobs');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses a callbackUrl from a key that has no signing secret (made before secrets existed)', async () => {
    const { hashApiKey } = await import('../apps/api/src/services/api-key-token');
    await insertApiKey(flowq.db.db, { id: 'key_0000000000000000000legacy', name: 'legacy', hash: hashApiKey('fq_legacy-key-0123456789'), admin: false });
    const res = await post('/v1/jobs', { prompt: 'x', callbackUrl: receiver.url }, 'fq_legacy-key-0123456789');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/rotate-secret/);
  });

  it('several senders over one outbox send each delivery once', async () => {
    receiver.answer(() => 200);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const row = await insertJob(flowq.db.db, {
        request: { prompt: `p${i}` } as never,
        callbackUrl: receiver.url,
        ownerKey: apiKeyId(TEST_API_KEY),
        deadlineMs: 60_000,
      });
      await markSubmitting(flowq.db.db, row.id, 'acct-1@flowq.test');
      ids.push(row.id);
    }
    for (const id of ids) await markSucceeded(flowq.db.db, id, { videos: [] } as never);
    const deps = { config: flowq.config, database: flowq.db, redis: null as never, queue: null as never, logger: flowq.logger, client: null as never };
    const senders = [1, 2, 3].map(() =>
      createCallbackDispatcher({
        db: flowq.db.db,
        config: flowq.config,
        logger: flowq.logger,
        secrets: createCallbackSecrets(flowq.db.db, flowq.config),
        render: createCallbackBodies(deps),
      }),
    );
    await Promise.all(senders.map((s) => s.runOnce()));
    await waitFor(() => ids.every((id) => callbacksFor(id).length > 0), { what: 'all 30 callbacks' });
    await Promise.all(senders.map((s) => s.close()));
    for (const id of ids) expect(callbacksFor(id)).toHaveLength(1);
  });

  it('refuses to connect when the host resolves, at connect time, to an address inside the network', async () => {
    const agent = createGuardedAgent([]);
    const port = new URL(receiver.url).port;
    const err = await request(`http://localhost:${port}/x`, { dispatcher: agent }).then(
      () => null,
      (e: Error & { cause?: Error }) => e,
    );
    await agent.close();
    expect(err).not.toBeNull();
    expect(JSON.stringify({ m: err!.message, c: (err as { cause?: Error }).cause?.message ?? '', code: (err as { code?: string }).code })).toMatch(
      /may not connect|EBLOCKEDADDRESS/,
    );
    const allowed = createGuardedAgent(['127.0.0.1']);
    const ok = await request(`http://localhost:${port}/x`, { method: 'POST', body: '{"id":"probe"}', dispatcher: allowed });
    await ok.body.dump();
    await allowed.close();
    expect(ok.statusCode).toBe(200);
  });
});
