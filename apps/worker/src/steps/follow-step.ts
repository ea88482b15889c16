import { beginArchiving, followUpIdsOf, markSucceededAfterPoll, recordAttempt, type JobRow } from '@flowq/db';
import { enqueueArchive, enqueueGenerate, readAndClearCallbackHint, slotFreedByCallback, type CallbackHint } from '@flowq/queue';
import { creditsFor, creditsOfJob, linksExpireAt, upstreamResult } from '@flowq/core';
import { answerOfFailedJob, classifyAnswer, imagesOf, videosOf, type UpstreamJobRecord } from '@flowq/useapi-client';
import { nextStepAfterPollFailure, type Step } from '../next-step';
import { endWithImages } from './image-step';
import { afterFailure, slotsOf, transientFailure, waitForUpstream, type StepContext } from './step-context';

export type FollowedJob = JobRow & { upstreamJobId: string; account: string };

/**
 * A `running` job: read its upstream job (`GET /jobs/{jobid}`, the truth; a callback is only a
 * hint). Completed: free the slot, then either hand the job to the archive queue (status
 * `archiving`; it succeeds once its files are stored) or, with MEDIA_ARCHIVE=false, end it with
 * useapi's links. Failed: free the slot and decide what the
 * failure means. Still running: keep the slot and wait again.
 */
export async function followStep(ctx: StepContext, row: FollowedJob, hintRead?: CallbackHint | null): Promise<Step> {
  const { client, config, logger, redis } = ctx.deps;
  const slots = slotsOf(ctx, row);
  // After an end callback the API has already given the slot away: renewing would take it back,
  // and releasing it again would only cost a round trip. (`hintRead`: the hint, read and cleared already.)
  const hint = hintRead !== undefined ? hintRead : await readAndClearCallbackHint(redis, config.redis.prefix, row.id);
  if (!hint) await slots.renew(row.account, row.id);
  const freed = row.kind !== 'image' && slotFreedByCallback(hint, row.upstreamJobId);
  const leases = { release: (email: string, jobId: string) => (freed ? Promise.resolve() : slots.release(email, jobId)) };
  const startedAt = new Date();
  const answer = await client.getJob(row.upstreamJobId);
  const classifyContext = () => ({ now: new Date(), model: row.request.model, operation: 'getJob' as const, random: ctx.random });
  if (answer.ok) {
    const record = answer.data;
    if (record.status === 'completed' && row.kind === 'image') return finishImages(ctx, row, record, answer.status, startedAt);
    if (record.status === 'completed') {
      const result = videosOf(record, new Date(), config.media.upstreamLinkTtlMs);
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
      await ctx.deps.leases.recordGeneration(row.account, true, row.startedAt ? Date.now() - row.startedAt.getTime() : null);
      // Priced at the tier of the account that made it (Ultra pays less for most models).
      const tier = await ctx.deps.leases.tierOf(row.account);
      const credits = row.kind === 'video' ? creditsFor(row.request, tier) : creditsOfJob(row.kind, row.request as never, tier);
      const expiresAt = linksExpireAt(result.videos, config.media.upstreamLinkTtlMs);
      const stamped = upstreamResult(result, expiresAt, config.media.archive);
      if (config.media.archive) {
        await recordAttempt(ctx.db, poll);
        // Paid and its slot free; the end, its client callback and its chain's follow-ups wait for
        // the files (finishArchiving). A crash between these two lines leaves an `archiving` row
        // that the reconciler queues.
        if (await beginArchiving(ctx.db, row.id, stamped, expiresAt, credits)) await enqueueArchive(ctx.deps.archiveQueue, row.id);
        logger.info({ jobId: row.id, account: row.account, videos: made }, 'job generated; archiving its files');
        return { kind: 'done' };
      }
      // The poll, the end, its client callback (outbox) and its chain's follow-ups are written together.
      const succeeded = await markSucceededAfterPoll(ctx.db, row, poll, stamped, credits);
      // The chain's follow-ups were created with the success; queue them now (the reconciler would, later).
      if (succeeded && (row.request as { then?: unknown[] }).then?.length) {
        for (const id of await followUpIdsOf(ctx.db, row.id)) await enqueueGenerate(ctx.deps.queue, id, row.priority).catch(() => undefined);
      }
      logger.info({ jobId: row.id, account: row.account, videos: made, ms: Date.now() - row.createdAt.getTime() }, 'job succeeded');
      return succeeded ? { kind: 'done', ended: succeeded } : { kind: 'done' };
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
    return waitForUpstream(ctx, row.id, row.upstreamJobId);
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
  await ctx.deps.leases.recordOutcome(row.account, row, outcome, new Date());
  return { kind: 'sleep', ms: next.ms, reason: `poll ${outcome.type}`, ...(next.park ? { park: true } : {}) };
}

/** An image job found upstream after its call died mid-way: its record carries the images. */
async function finishImages(ctx: StepContext, row: FollowedJob, record: UpstreamJobRecord, statusCode: number, startedAt: Date): Promise<Step> {
  await slotsOf(ctx, row).release(row.account, row.id);
  await recordAttempt(ctx.db, {
    jobId: row.id,
    kind: 'poll',
    account: row.account,
    statusCode,
    outcome: 'completed',
    upstreamJobId: row.upstreamJobId,
    startedAt,
  });
  const images = imagesOf(record, new Date());
  if (images.length === 0) return afterFailure(ctx, row, row.account, transientFailure(ctx, 'the image job ended without an image'));
  return endWithImages(ctx, row, row.account, images);
}
