import { callbackDeliveries, findJob, insertJob, jobs, listAttempts, markCancelled, markSubmitting, markSucceededAfterPoll, type NewJob } from '@flowq/db';
import { createTestDatabase, type TestDatabase } from '@flowq/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('mark-succeeded-after-poll');
});
afterAll(() => t.drop());

const result = { videos: [] } as never;

async function runningJob(extra: Partial<NewJob> = {}) {
  const row = await insertJob(t.db, {
    kind: 'video',
    request: { prompt: 'p', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1 } as NewJob['request'],
    deadlineMs: 60_000,
    ...extra,
  });
  await markSubmitting(t.db, row.id, 'a@x.test');
  return (await findJob(t.db, row.id))!;
}

const pollOf = (jobId: string) => ({
  jobId,
  kind: 'poll' as const,
  account: 'a@x.test',
  statusCode: 200,
  outcome: 'completed',
  upstreamJobId: 'up',
  startedAt: new Date(),
});
const deliveriesOf = (jobId: string) => t.db.select().from(callbackDeliveries).where(eq(callbackDeliveries.jobId, jobId));

describe('markSucceededAfterPoll (poll attempt, success and outbox row in one statement)', () => {
  it('writes the poll, the success and, for a job with a callback URL, its job.succeeded delivery', async () => {
    const job = await runningJob({ callbackUrl: 'https://example.test/cb', ownerKey: 'key_1' });
    const ended = await markSucceededAfterPoll(t.db, job, pollOf(job.id), result, 12);
    expect(ended).toMatchObject({ id: job.id, status: 'succeeded', credits: 12 });
    expect(ended).toEqual(await findJob(t.db, job.id));
    expect((await listAttempts(t.db, job.id)).map((a) => [a.kind, a.outcome])).toEqual([['poll', 'completed']]);
    const deliveries = await deliveriesOf(job.id);
    expect(deliveries.map((d) => [d.event, d.url, d.ownerKey, d.status])).toEqual([['job.succeeded', 'https://example.test/cb', 'key_1', 'pending']]);
    expect(deliveries[0]!.nextAttemptAt.getTime()).toBe(ended!.completedAt!.getTime());
  });

  it('adds no delivery for a job without a callback URL', async () => {
    const job = await runningJob();
    expect((await markSucceededAfterPoll(t.db, job, pollOf(job.id), result))?.status).toBe('succeeded');
    expect(await deliveriesOf(job.id)).toEqual([]);
  });

  it('a job that ended meanwhile (cancelled) keeps its end: only the poll is recorded', async () => {
    const job = await runningJob({ callbackUrl: 'https://example.test/cb' });
    await markCancelled(t.db, job.id);
    const before = (await deliveriesOf(job.id)).length;
    expect(await markSucceededAfterPoll(t.db, job, pollOf(job.id), result)).toBeUndefined();
    expect((await findJob(t.db, job.id))!.status).toBe('cancelled');
    expect(await deliveriesOf(job.id)).toHaveLength(before);
    expect((await listAttempts(t.db, job.id)).map((a) => a.kind)).toEqual(['poll']);
  });

  it('a job whose chain makes follow-ups still gets them (the transaction path)', async () => {
    const job = await runningJob({
      request: {
        prompt: 'p',
        model: 'veo-3.1-fast',
        aspectRatio: 'landscape',
        count: 1,
        // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
        then: [{ kind: 'upscale' }],
      } as NewJob['request'],
    });
    const ended = await markSucceededAfterPoll(t.db, job, pollOf(job.id), { videos: [{ status: 'succeeded', mediaGenerationId: 'm1' }] } as never);
    expect(ended?.status).toBe('succeeded');
    expect((await listAttempts(t.db, job.id)).map((a) => a.kind)).toEqual(['poll']);
    const children = await t.db.select().from(jobs).where(eq(jobs.parentJobId, job.id));
    expect(children.length).toBeGreaterThan(0);
  });
});
