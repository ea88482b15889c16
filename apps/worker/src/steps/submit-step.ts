import { creditsFor, imageFieldsOf, newId } from '@flowq/core';
import { beginSubmission, latestSubmission, markFailed, reserveCredits, settleAndMarkRunning, settleSubmission, type JobRow } from '@flowq/db';
import { replyUrlFor } from '@flowq/queue';
import { classifyAnswer, type UpstreamAnswer, type UpstreamJobRecord } from '@flowq/useapi-client';
import type { Step } from '../next-step';
import { afterPlacementFailure, placeImagesOnAccount } from './images-on-account';
import { afterFailure, sleepUntilCallback, transientFailure, type StepContext } from './step-context';

/**
 * A `queued` job: take an account slot, record the attempt, POST it to useapi, and write what
 * the answer means. `firstLook`: the job has never been looked at (see the step runner).
 */
export async function submitStep(ctx: StepContext, row: JobRow, firstLook: boolean): Promise<Step> {
  const { leases, client, config } = ctx.deps;
  const now = new Date();
  if (now > row.deadlineAt) {
    await markFailed(ctx.db, row.id, { code: 'expired', message: `not started before its deadline ${row.deadlineAt.toISOString()}` });
    return { kind: 'done' };
  }
  // The account that just refused this job's captcha is tried last (another one is preferred).
  const last = row.submissions > 0 ? await latestSubmission(ctx.db, row.id) : undefined;
  const avoid = last?.outcome === 'captcha_rejected' && last.account ? last.account : undefined;
  const lease = await leases.acquire(row, now, { firstLook, ...(avoid ? { avoid } : {}) });
  if (!lease.ok && lease.kind === 'impossible') {
    await markFailed(ctx.db, row.id, { code: lease.code, message: lease.message });
    return { kind: 'fail', error: { code: lease.code, message: lease.message } };
  }
  if (!lease.ok) {
    const ms = Math.min(ctx.deps.config.worker.parkMaxMs, Math.max(50, lease.retryAt - now.getTime()));
    return { kind: 'sleep', ms, reason: lease.reason, park: true, row, ...(lease.listed ? { listed: true } : {}) };
  }
  // flowq's own images go to the account that took the job (once per account), before anything is paid.
  const placed = await placeImagesOnAccount(ctx, row.id, row.request, imageFieldsOf(row.kind), lease.email);
  if (!placed.ok) {
    const step = await afterPlacementFailure(ctx, row, lease.email, placed, row.request.model);
    await leases.release(lease.email, row.id);
    return step;
  }
  // A budget is checked at the chosen account's price; a job it does not cover waits `over_budget`
  // (no BullMQ job left) until the budget is raised.
  if (row.budgeted) {
    const budget = await reserveCredits(ctx.db, row.id, creditsFor(row.request, await leases.tierOf(lease.email)));
    if (!budget.ok) {
      await leases.release(lease.email, row.id);
      ctx.deps.logger.info({ jobId: row.id, over: budget.over }, `over budget: ${budget.message}`);
      return { kind: 'done' };
    }
  }
  // Recorded before the POST, in the same transaction that marks the job `submitting`: if this
  // process dies before the answer is written, the next step finds the attempt and looks for it
  // upstream by its id (sent as replyRef) instead of paying for a second generation.
  const attemptId = newId('att');
  const began = await beginSubmission(ctx.db, { jobId: row.id, account: lease.email, attemptId, startedAt: new Date() });
  if (!began) {
    await leases.release(lease.email, row.id);
    return { kind: 'again' };
  }
  const answer = await client.submitVideo({
    ...placed.request,
    email: lease.email,
    replyUrl: replyUrlFor(config.http.publicUrl, row),
    replyRef: attemptId,
  });
  return settle(ctx, began, lease.email, attemptId, answer, lease.limit);
}

/**
 * What a submit's answer means, written: running on success, else the failure decided. Shared with
 * the edit step. `limitAtAcquire`: the limit the job's video slot was taken under.
 */
export async function settle(
  ctx: StepContext,
  row: JobRow,
  email: string,
  attemptId: string,
  answer: UpstreamAnswer<UpstreamJobRecord>,
  limitAtAcquire: number,
): Promise<Step> {
  const { leases, logger } = ctx.deps;
  const outcome = classifyAnswer(answer, { now: new Date(), model: row.request.model, operation: 'submitVideo', random: ctx.random }, ctx.policy);
  const upstreamJobId = answer.ok ? answer.data.jobid : null;
  const written = {
    statusCode: answer.status,
    outcome: outcome.type,
    reason: answer.ok ? null : (answer.error.reason ?? answer.error.message),
    detail: answer.ok ? null : answer.error.raw,
  };
  if (outcome.type === 'success' && upstreamJobId) {
    await leases.recordOutcome(email, row, outcome, new Date());
    const running = await settleAndMarkRunning(ctx.db, attemptId, { ...written, upstreamJobId }, { id: row.id, account: email });
    // Not `submitting` any more: cancelled (the next step frees the slot) or already resumed
    // by another worker that found this attempt (it holds the slot now).
    if (!running) return { kind: 'again' };
    logger.debug({ jobId: row.id, account: email, upstreamJobId }, 'submitted');
    return sleepUntilCallback(ctx, upstreamJobId);
  }
  await settleSubmission(ctx.db, attemptId, { ...written, upstreamJobId });
  // The account's new state (cooling, needs_reauth, ...) is written before its slot is freed,
  // so the job that takes the slot next already sees it.
  const step = await afterFailure(
    ctx,
    row,
    email,
    outcome.type === 'success' ? { ...transientFailure(ctx, 'submit answered without a jobid'), delayMs: 5_000 } : outcome,
    limitAtAcquire,
  );
  await leases.release(email, row.id);
  return step;
}
