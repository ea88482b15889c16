import { newId } from '@flowq/core';
import { beginSubmission, findJob, jobs, listAttempts } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { createUseapiClient } from '@flowq/useapi-client';
import { replyUrlFor } from '@flowq/queue';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlowq, TEST_USEAPI_TOKEN, type FlowqUnderTest } from '../support/start-flowq';

const ACCOUNT = 'acct-1@flowq.test';
const ENV = { FLOWQ_AMBIGUOUS_TIMEOUT_MS: '1500', USEAPI_TIMEOUT_MS: '1000', POLL_INTERVAL_MS: '300' };

/**
 * A worker that died mid-submit leaves its job `submitting` with a `pending` attempt. These
 * build that state by hand (the attempt recorded, the POST made or not, the answer never
 * written), then let a worker find it.
 */
async function interrupted(flowq: FlowqUnderTest, prompt: string, upstream: 'accepted' | 'accepted-with-callbacks' | 'never-sent') {
  const res = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt } });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const attemptId = newId('att');
  expect(await beginSubmission(flowq.db.db, { jobId: id, account: ACCOUNT, attemptId, startedAt: new Date() })).toBeDefined();
  if (upstream !== 'never-sent') {
    const row = (await findJob(flowq.db.db, id))!;
    const client = createUseapiClient({ baseUrl: flowq.sim.baseUrl, token: TEST_USEAPI_TOKEN });
    const answer = await client.submitVideo({
      ...row.request,
      email: ACCOUNT,
      replyRef: attemptId,
      ...(upstream === 'accepted-with-callbacks' ? { replyUrl: replyUrlFor(flowq.config.http.publicUrl, row) } : {}),
    });
    expect(answer.status).toBe(201);
  }
  return { id, attemptId };
}

async function endOf(flowq: FlowqUnderTest, id: string) {
  await waitFor(async () => ['succeeded', 'failed'].includes((await findJob(flowq.db.db, id))!.status), { timeoutMs: 15_000, what: `${id} to end` });
  const row = (await findJob(flowq.db.db, id))!;
  return { row, attempts: await listAttempts(flowq.db.db, id), paid: flowq.sim.log.submissionsFor(row.request.prompt).filter((e) => e.status === 201).length };
}

describe('a submission interrupted before its answer was written (FLOWQ_ON_AMBIGUOUS=resubmit)', () => {
  let flowq: FlowqUnderTest;
  beforeAll(async () => {
    flowq = await startFlowq('interrupted', { env: ENV, startWorker: false });
  });
  afterAll(() => flowq?.stop());

  it('is found in useapi job listing by its replyRef and followed, never submitted again', async () => {
    const { id, attemptId } = await interrupted(flowq, 'interrupted: accepted upstream', 'accepted');
    await flowq.worker.runtime.worker.resume();
    const { row, attempts, paid } = await endOf(flowq, id);
    expect(row.status).toBe('succeeded');
    expect(paid).toBe(1);
    expect(attempts.find((a) => a.id === attemptId)).toMatchObject({ outcome: 'adopted_from_listing', upstreamJobId: row.upstreamJobId });
    expect(attempts.filter((a) => a.kind === 'submit')).toHaveLength(1);
  });

  it("is recognised from a callback carrying its replyRef, which arrived while the job was still 'submitting'", async () => {
    await flowq.worker.runtime.worker.pause();
    const { id, attemptId } = await interrupted(flowq, 'interrupted: callbacks came', 'accepted-with-callbacks');
    await waitFor(async () => (await listAttempts(flowq.db.db, id)).find((a) => a.id === attemptId)?.upstreamJobId, {
      what: 'the callback to name the attempt',
    });
    await flowq.worker.runtime.worker.resume();
    const { row, attempts, paid } = await endOf(flowq, id);
    expect(row.status).toBe('succeeded');
    expect(paid).toBe(1);
    expect(attempts.find((a) => a.id === attemptId)?.outcome).toBe('adopted_from_callback');
  });

  it('is submitted again once the timeout passes with no trace of it upstream, and counted', async () => {
    const { id, attemptId } = await interrupted(flowq, 'interrupted: never sent', 'never-sent');
    const { row, attempts, paid } = await endOf(flowq, id);
    expect(row.status).toBe('succeeded');
    expect(paid).toBe(1);
    const first = attempts.find((a) => a.id === attemptId)!;
    expect(first.outcome).toBe('lost_resubmitted');
    // Not before the timeout: the POST might still have been in flight.
    const second = attempts.filter((a) => a.kind === 'submit' && a.id !== attemptId)[0]!;
    expect(second.startedAt.getTime() - first.startedAt.getTime()).toBeGreaterThanOrEqual(1_500);
    expect((await flowq.db.db.select().from(jobs).where(eq(jobs.id, id)))[0]!.attempts).toBe(0);
  });
});

describe('FLOWQ_ON_AMBIGUOUS=fail', () => {
  let flowq: FlowqUnderTest;
  beforeAll(async () => {
    flowq = await startFlowq('interrupted-fail', { env: { ...ENV, FLOWQ_ON_AMBIGUOUS: 'fail' }, startWorker: false });
  });
  afterAll(() => flowq?.stop());

  it('fails a submission that cannot be found upstream instead of paying again, but still adopts one that can', async () => {
    const lost = await interrupted(flowq, 'interrupted (fail policy): never sent', 'never-sent');
    const found = await interrupted(flowq, 'interrupted (fail policy): accepted', 'accepted');
    await flowq.worker.runtime.worker.resume();
    const a = await endOf(flowq, lost.id);
    expect(a.row.status).toBe('failed');
    expect(a.row.error).toMatchObject({ code: 'upstream_failed' });
    expect(a.paid).toBe(0);
    expect(a.attempts.find((x) => x.id === lost.attemptId)?.outcome).toBe('lost_failed');
    const b = await endOf(flowq, found.id);
    expect(b.row.status).toBe('succeeded');
    expect(b.paid).toBe(1);
  });
});
