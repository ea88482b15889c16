import {
  accountForJob,
  accountOfMediaId,
  JOB_KIND_SPECS,
  newId,
  sourceMediaIdOf,
  type ExtendRequest,
  type OwnerAccount,
  type UpscaleRequest,
} from '@flowq/core';
import { beginSubmission, markFailed, type JobRow } from '@flowq/db';
import { replyUrlFor } from '@flowq/queue';
import type { AccountSnapshot } from '@flowq/scheduler';
import type { Step } from '../next-step';
import type { StepContext } from './step-context';
import { settle } from './submit-step';

/** How soon an upscale or extend waiting for its source's account looks again (no other account can serve it). */
export const OWNER_RECHECK_MS = 1_000;

/** The source account's status as the account rule reads it. */
export function ownerStatusOf(account: AccountSnapshot | undefined, now: Date): OwnerAccount | undefined {
  if (!account) return undefined;
  const status: OwnerAccount['status'] =
    account.draining || account.state === 'missing'
      ? 'gone'
      : !account.enabled || account.state === 'needs_reauth' || account.state === 'no_credits' || account.state === 'disabled'
        ? 'paused'
        : (account.coolingUntil && account.coolingUntil > now) || account.state === 'cooling'
          ? 'cooling'
          : account.running >= account.maxConcurrent || account.submittedLastMinute >= account.maxPerMinute
            ? 'busy'
            : 'ready';
  return { email: account.email, tier: account.tier, status };
}

/**
 * A `queued` upscale or extend: only the account that made the source video can run it
 * (`accountForJob`). Take one of that account's video slots, record the attempt, post it to
 * `/videos/upscale` or `/videos/extend` (async), and from then on it is followed like a video.
 */
export async function editStep(ctx: StepContext, row: JobRow): Promise<Step> {
  const { slots, client, config } = ctx.deps;
  const kind = row.kind as 'upscale' | 'extend';
  const request = row.request as unknown as UpscaleRequest | ExtendRequest;
  const source = sourceMediaIdOf(request);
  const now = new Date();
  if (now > row.deadlineAt) {
    await markFailed(ctx.db, row.id, { code: 'expired', message: `not started before its deadline ${row.deadlineAt.toISOString()}` });
    return { kind: 'done' };
  }
  const { pool } = await ctx.deps.pool.take(now);
  const ownerName = source ? accountOfMediaId(source)?.toLowerCase() : undefined;
  const ownerEmail = ownerName ? pool.find((a) => a.email.toLowerCase() === ownerName) : undefined;
  const tiers = (JOB_KIND_SPECS[kind].tiers as (r: typeof request) => readonly ('ultra' | 'pro')[])(request);
  const verdict = accountForJob({ kind, source: source ?? undefined, tiers, owner: ownerStatusOf(ownerEmail, now) });
  if (verdict.verdict === 'fail') {
    const error = { code: verdict.code, message: verdict.message };
    await markFailed(ctx.db, row.id, error);
    return { kind: 'fail', error };
  }
  if (verdict.verdict !== 'run' && verdict.verdict !== 'wait') return { kind: 'sleep', ms: OWNER_RECHECK_MS, reason: 'no source' };
  if (verdict.verdict === 'wait') return { kind: 'sleep', ms: OWNER_RECHECK_MS, reason: `source account ${verdict.reason}` };
  const owner = ownerEmail!;
  const got = await slots.acquire([{ email: owner.email, maxConcurrent: owner.maxConcurrent, maxPerMinute: owner.maxPerMinute }], row.id, {
    leaseMs: config.accounts.leaseMs,
  });
  if (!got.ok) return { kind: 'sleep', ms: Math.min(OWNER_RECHECK_MS, Math.max(50, got.retryAt - now.getTime())), reason: 'source account busy' };

  const attemptId = newId('att');
  const began = await beginSubmission(ctx.db, { jobId: row.id, account: owner.email, attemptId, startedAt: new Date() });
  if (!began) {
    await ctx.deps.leases.release(owner.email, row.id);
    return { kind: 'again' };
  }
  const edit =
    kind === 'upscale'
      ? { kind, mediaGenerationId: source!, request: request as UpscaleRequest }
      : { kind, mediaGenerationId: source!, request: request as ExtendRequest };
  const answer = await client.submitEdit({ ...edit, replyUrl: replyUrlFor(config.http.publicUrl, row), replyRef: attemptId });
  return settle(ctx, began, owner.email, attemptId, answer, got.limit);
}
