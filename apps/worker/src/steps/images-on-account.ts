import { isImageId } from '@flowq/core';
import { claimImageUpload, dropImageUploadClaim, findImage, markFailed, recordImageUpload, type JobRow } from '@flowq/db';
import { classifyAnswer, type UpstreamAnswer } from '@flowq/useapi-client';
import type { Step } from '../next-step';
import { afterFailure, transientFailure, type StepContext } from './step-context';

/**
 * The request as the account can take it: each flowq image (`img_…`) in `fields` replaced by
 * the mediaGenerationId the account holds for it, uploaded first (`POST /assets/{email}`) when
 * the account does not hold it yet. `answer` is a refused upload, for `classifyAnswer` to read
 * like any other call; `lost` an image flowq no longer has; `busy` another worker uploading
 * the same image to the same account right now (wait for it rather than upload it twice);
 * `store` the media store not answering (wait for it).
 */
export type PlacedImages<T> =
  | { ok: true; request: T; uploads: number }
  | { ok: false; kind: 'busy'; field: string }
  | { ok: false; kind: 'store'; field: string; message: string }
  | { ok: false; kind: 'answer'; field: string; answer: UpstreamAnswer<unknown> }
  | { ok: false; kind: 'lost'; field: string; message: string };

/**
 * A claim this old was left by a worker that died mid-upload: longer than one upload may take
 * (useapi call deadline, 30 s by default), so a live upload is never taken over.
 */
export const STALE_CLAIM_MS = 90_000;

/** How long a job waits for another worker's upload of the same image before it looks again. */
export const UPLOAD_WAIT_MS = 300;

/** How long a job waits when the media store does not give its image back. */
export const STORE_WAIT_MS = 5_000;

export async function placeImagesOnAccount<T extends object>(
  ctx: StepContext,
  jobId: string,
  request: T,
  fields: readonly string[],
  email: string,
): Promise<PlacedImages<T>> {
  const out = { ...request } as Record<string, unknown>;
  let uploads = 0;
  for (const field of fields) {
    const value = out[field];
    if (typeof value !== 'string' || !isImageId(value)) continue;
    const onAccount = await claimImageUpload(ctx.db, value, email, new Date(), STALE_CLAIM_MS);
    if (onAccount.kind === 'held') {
      out[field] = onAccount.mediaGenerationId;
      continue;
    }
    if (onAccount.kind === 'claimed') return { ok: false, kind: 'busy', field };
    const image = await findImage(ctx.db, value);
    let bytes: Buffer | null = null;
    try {
      const read = image ? await ctx.deps.mediaStore.get(image.storageKey) : null;
      if (read) {
        // At most 20 MB (checked at intake): useapi takes the image as one body.
        const chunks: Buffer[] = [];
        for await (const chunk of read.body) chunks.push(chunk as Buffer);
        bytes = Buffer.concat(chunks);
      }
    } catch (err) {
      await dropImageUploadClaim(ctx.db, value, email);
      return { ok: false, kind: 'store', field, message: (err as Error).message };
    }
    if (!image || !bytes) {
      await dropImageUploadClaim(ctx.db, value, email);
      return { ok: false, kind: 'lost', field, message: `${field}: image ${value} is no longer kept by flowq` };
    }
    const answer = await ctx.deps.client.uploadAsset(email, bytes, image.contentType);
    if (!answer.ok) {
      await dropImageUploadClaim(ctx.db, value, email);
      return { ok: false, kind: 'answer', field, answer };
    }
    uploads += 1;
    out[field] = await recordImageUpload(ctx.db, value, email, answer.data.mediaGenerationId);
    ctx.deps.logger.debug({ jobId, account: email, image: value, field }, 'image uploaded to the account');
  }
  return { ok: true, request: out as T, uploads };
}

/**
 * A job whose images could not be put on the account: a refused upload means what
 * `classifyAnswer` says (429/503 a capacity wait, a 400 fails the job with useapi's reason),
 * decided by `nextStepAfterFailure` as for a submit; a lost image fails the job; an upload
 * under way elsewhere, or the media store away, is a wait that costs nothing. The caller frees the slot.
 */
export async function afterPlacementFailure(
  ctx: StepContext,
  row: JobRow,
  email: string,
  failure: Extract<PlacedImages<unknown>, { ok: false }>,
  model: string,
): Promise<Step> {
  if (failure.kind === 'busy') return { kind: 'sleep', ms: UPLOAD_WAIT_MS, reason: `${failure.field}: being uploaded to ${email} by another job` };
  if (failure.kind === 'store') {
    // flowq's own store, not useapi: nothing the account or the attempt count should learn from.
    ctx.deps.logger.warn({ jobId: row.id, field: failure.field, err: failure.message }, 'media store unavailable for an image upload; waiting');
    return { kind: 'sleep', ms: STORE_WAIT_MS, reason: 'media store unavailable' };
  }
  if (failure.kind === 'lost') {
    const error = { code: 'invalid_request' as const, message: failure.message };
    await markFailed(ctx.db, row.id, error);
    return { kind: 'fail', error };
  }
  const outcome = classifyAnswer(failure.answer, { now: new Date(), model, operation: 'uploadAsset', random: ctx.random }, ctx.policy);
  ctx.deps.logger.info({ jobId: row.id, account: email, field: failure.field, status: failure.answer.status, outcome: outcome.type }, 'image upload refused');
  if (outcome.type === 'success') return afterFailure(ctx, row, email, transientFailure(ctx, 'image upload answered without an id'));
  const named = 'message' in outcome ? { ...outcome, message: `${failure.field}: upload to the account refused: ${outcome.message}` } : outcome;
  return afterFailure(ctx, row, email, named);
}
