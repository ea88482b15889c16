import { creditsOfJob, imageFieldsOf, linksExpireAt, newId, upstreamResult, type ImageRequest, type ImageResult } from '@flowq/core';
import { beginArchiving, beginSubmission, markFailed, markSucceeded, settleAndMarkRunning, settleSubmission, type JobRow } from '@flowq/db';
import { enqueueArchive } from '@flowq/queue';
import { classifyAnswer, imagesOf } from '@flowq/useapi-client';
import type { Step } from '../next-step';
import { afterPlacementFailure, placeImagesOnAccount } from './images-on-account';
import { afterFailure, transientFailure, type StepContext } from './step-context';

/** The request of an image job: `jobs.request` holds the kind's own request. */
export const imageRequestOf = (row: JobRow) => row.request as unknown as ImageRequest;

/**
 * A `queued` image job: take an image slot, record the attempt, call `POST /images` (synchronous
 * upstream, 10-20 s) and write the images. A call that dies mid-way (no answer: reset, timeout)
 * leaves the attempt pending, as a video submit interrupted by a crash does: the recover step
 * then looks for it upstream by its replyRef before anything is sent again.
 */
export async function imageStep(ctx: StepContext, row: JobRow, firstLook: boolean): Promise<Step> {
  const { imageLeases, client, logger } = ctx.deps;
  const request = imageRequestOf(row);
  const now = new Date();
  if (now > row.deadlineAt) {
    await markFailed(ctx.db, row.id, { code: 'expired', message: `not started before its deadline ${row.deadlineAt.toISOString()}` });
    return { kind: 'done' };
  }
  const lease = await imageLeases.acquire(row, request, now, { firstLook });
  if (!lease.ok && lease.kind === 'impossible') {
    await markFailed(ctx.db, row.id, { code: lease.code, message: lease.message });
    return { kind: 'fail', error: { code: lease.code, message: lease.message } };
  }
  if (!lease.ok)
    return {
      kind: 'sleep',
      ms: Math.min(ctx.deps.config.worker.parkMaxMs, Math.max(50, lease.retryAt - now.getTime())),
      reason: lease.reason,
      park: true,
      row,
      ...(lease.listed ? { listed: true } : {}),
    };

  const placed = await placeImagesOnAccount(ctx, row.id, request, imageFieldsOf(row.kind), lease.email);
  if (!placed.ok) {
    const step = await afterPlacementFailure(ctx, row, lease.email, placed, request.model);
    await imageLeases.release(lease.email, row.id);
    return step;
  }
  const attemptId = newId('att');
  const began = await beginSubmission(ctx.db, { jobId: row.id, account: lease.email, attemptId, startedAt: new Date() });
  if (!began) {
    await imageLeases.release(lease.email, row.id);
    return { kind: 'again' };
  }
  const answer = await client.submitImage({ ...placed.request, email: lease.email, replyRef: attemptId });
  if (!answer.ok && (answer.error.kind === 'network' || answer.error.kind === 'timeout')) {
    // The slot stays held: the call may still be running upstream. Recovery adopts or frees it.
    logger.warn(
      { jobId: row.id, attemptId, account: lease.email, error: answer.error.message },
      'image call died mid-way: looking for it upstream before calling again',
    );
    return { kind: 'again' };
  }
  const outcome = classifyAnswer(answer, { now: new Date(), model: request.model, operation: 'submitImage', random: ctx.random }, ctx.policy);
  const written = {
    statusCode: answer.status,
    outcome: outcome.type,
    reason: answer.ok ? null : (answer.error.reason ?? answer.error.message),
    detail: answer.ok ? null : answer.error.raw,
  };
  if (outcome.type === 'success' && answer.ok) {
    const upstreamJobId = answer.data.jobid;
    await ctx.deps.leases.recordOutcome(lease.email, row, outcome, new Date());
    const running = await settleAndMarkRunning(ctx.db, attemptId, { ...written, upstreamJobId }, { id: row.id, account: lease.email });
    await imageLeases.release(lease.email, row.id);
    if (!running) return { kind: 'again' };
    const images = imagesOf(answer.data, new Date());
    if (images.length === 0)
      return afterFailure(ctx, { ...row, status: 'running' }, lease.email, transientFailure(ctx, 'the image call answered without an image'));
    return endWithImages(ctx, row, lease.email, images);
  }
  await settleSubmission(ctx.db, attemptId, { ...written, upstreamJobId: null });
  const step = await afterFailure(ctx, row, lease.email, outcome.type === 'success' ? transientFailure(ctx, 'image call answered without a jobId') : outcome);
  await imageLeases.release(lease.email, row.id);
  return step;
}

/**
 * A `running` image job whose images were made (by its call, or found upstream after the call
 * died): paid at the tier of `account`, then handed to the archive queue (status `archiving`; it
 * succeeds once its images are stored, as a video job does), or with MEDIA_ARCHIVE=false ended
 * at once with useapi's links.
 */
export async function endWithImages(ctx: StepContext, row: JobRow, account: string, images: ImageResult[]): Promise<Step> {
  const { config, logger } = ctx.deps;
  const credits = creditsOfJob('image', imageRequestOf(row), await ctx.deps.leases.tierOf(account));
  const expiresAt = linksExpireAt(images, config.media.upstreamLinkTtlMs);
  const result = upstreamResult({ videos: [], images }, expiresAt, config.media.archive);
  if (config.media.archive) {
    // A crash between these two lines leaves an `archiving` row that the reconciler queues.
    if (await beginArchiving(ctx.db, row.id, result, expiresAt, credits)) await enqueueArchive(ctx.deps.archiveQueue, row.id);
    logger.info({ jobId: row.id, account, images: images.length }, 'job generated; archiving its images');
    return { kind: 'done' };
  }
  await markSucceeded(ctx.db, row.id, result, credits);
  logger.info({ jobId: row.id, account, images: images.length }, 'job succeeded');
  return { kind: 'done' };
}
