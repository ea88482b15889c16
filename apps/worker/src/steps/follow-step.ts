import { markSucceeded, recordAttempt, type JobRow } from '@flowq/db';
import { hasCallbackHint } from '@flowq/queue';
import { creditsFor } from '@flowq/core';
import { answerOfFailedJob, classifyAnswer, videosOf } from '@flowq/useapi-client';
import { nextStepAfterPollFailure, type Step } from '../next-step';
import { afterFailure, transientFailure, waitForUpstream, type StepContext } from './step-context';

export type FollowedJob = JobRow & { upstreamJobId: string; account: string };

/**
 * A `running` job: read its upstream job (`GET /jobs/{jobid}`, the truth; a callback is only a
 * hint). Completed: free the slot and write the result. Failed: free the slot and decide what the
 * failure means. Still running: keep the slot and wait again.
 */
export async function followStep(ctx: StepContext, row: FollowedJob): Promise<Step> {
  const { leases, client, config, logger, redis } = ctx.deps;
  // After an end callback the API has already given the slot away: renewing would take it back.
  if (!(await hasCallbackHint(redis, config.redis.prefix, row.id))) await leases.renew(row.account, row.id);
  const startedAt = new Date();
  const answer = await client.getJob(row.upstreamJobId);
  const classifyContext = () => ({ now: new Date(), model: row.request.model, operation: 'getJob' as const, random: ctx.random });
  if (answer.ok) {
    const record = answer.data;
    if (record.status === 'completed') {
      const result = videosOf(record, new Date());
      const made = result.videos.filter((v) => v.status === 'succeeded').length;
      const poll = {
        jobId: row.id,
        kind: 'poll' as const,
        account: row.account,
        statusCode: answer.status,
        outcome: 'completed',
        upstreamJobId: row.upstreamJobId,
        startedAt,
      };
      await leases.release(row.account, row.id);
      if (made === 0) {
        await recordAttempt(ctx.db, poll);
        return afterFailure(ctx, row, row.account, transientFailure(ctx, 'every clip of the generation failed'));
      }
      await leases.recordGeneration(row.account, true, row.startedAt ? Date.now() - row.startedAt.getTime() : null);
      await recordAttempt(ctx.db, poll);
      // The end and its client callback (outbox) are written together by markSucceeded,
      // priced at the tier of the account that made it (Ultra pays less for most models).
      await markSucceeded(ctx.db, row.id, result, creditsFor(row.request, await leases.tierOf(row.account)));
      logger.info({ jobId: row.id, account: row.account, videos: made, ms: Date.now() - row.createdAt.getTime() }, 'job succeeded');
      return { kind: 'done' };
    }
    if (record.status === 'failed') {
      const failure = answerOfFailedJob(record);
      const outcome = classifyAnswer(failure, classifyContext(), ctx.policy);
      await recordAttempt(ctx.db, {
        jobId: row.id,
        kind: 'poll',
        account: row.account,
        statusCode: failure.status,
        outcome: outcome.type,
        reason: failure.error.reason ?? failure.error.message,
        upstreamJobId: row.upstreamJobId,
        startedAt,
        detail: failure.error.raw,
      });
      await leases.release(row.account, row.id);
      if (outcome.type === 'success') return { kind: 'again' };
      return afterFailure(ctx, row, row.account, outcome);
    }
    return waitForUpstream(ctx, row.id);
  }
  const outcome = classifyAnswer(answer, classifyContext(), ctx.policy);
  await recordAttempt(ctx.db, {
    jobId: row.id,
    kind: 'poll',
    account: row.account,
    statusCode: answer.status,
    outcome: outcome.type,
    reason: answer.error.reason ?? answer.error.message,
    upstreamJobId: row.upstreamJobId,
    startedAt,
  });
  if (outcome.type === 'success') return { kind: 'again' };
  const next = nextStepAfterPollFailure(
    outcome,
    { attempts: row.attempts, maxAttempts: config.worker.maxAttempts },
    { tokenProbeIntervalMs: config.worker.tokenProbeIntervalMs, pollIntervalMs: config.worker.pollIntervalMs },
  );
  if (next.kind === 'resubmit') {
    // useapi forgot the job before we read its result: the generation is lost; submit again.
    await leases.release(row.account, row.id);
    return afterFailure(ctx, row, row.account, outcome);
  }
  // The account's record learns from a poll as from a submit (a 401 closes the token gate, a 596 marks the account).
  await leases.recordOutcome(row.account, row, outcome, new Date());
  return { kind: 'sleep', ms: next.ms, reason: `poll ${outcome.type}`, ...(next.park ? { park: true } : {}) };
}
