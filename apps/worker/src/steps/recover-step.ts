import { callbackJobIdsFor, latestSubmission, markFailed, markRequeued, markRunning, settleSubmission, type JobRow } from '@flowq/db';
import { PENDING_OUTCOME, resolveAmbiguousSubmission, sightingOf, type UpstreamSighting } from '../ambiguous-submission';
import type { Step } from '../next-step';
import { slotsOf, type StepContext } from './step-context';

/**
 * A job found `submitting` as a step starts: its last submission's answer was never written
 * (a worker died mid-POST, or its lock stalled and it may still be posting). Find out whether
 * useapi took it before ever submitting again; `resolveAmbiguousSubmission` decides.
 */
export async function recoverStep(ctx: StepContext, row: JobRow): Promise<Step> {
  const { logger, config } = ctx.deps;
  const leases = slotsOf(ctx, row);
  const attempt = await latestSubmission(ctx.db, row.id);
  const email = attempt?.account ?? row.account;
  const unresolved = attempt !== undefined && attempt.outcome === PENDING_OUTCOME && !attempt.upstreamJobId;
  const callbacks = unresolved ? (await callbackJobIdsFor(ctx.db, row.id, attempt.id)).map((id) => ({ replyRef: attempt.id, upstreamJobId: id })) : [];
  const listing = unresolved && callbacks.length === 0 && email ? await upstreamSightings(ctx, email) : [];
  const decision = resolveAmbiguousSubmission({
    attempt,
    callbacks,
    listing,
    now: new Date(),
    timeoutMs: config.worker.ambiguous.timeoutMs,
    policy: config.worker.ambiguous.policy,
    recheckMs: Math.min(config.worker.pollIntervalMs, 5_000),
  });
  const log = { jobId: row.id, attemptId: attempt?.id, account: email };
  switch (decision.kind) {
    case 'wait':
      return { kind: 'sleep', ms: decision.ms, reason: 'submission unresolved' };
    case 'adopt': {
      if (attempt?.outcome === PENDING_OUTCOME)
        await settleSubmission(ctx.db, attempt.id, { outcome: `adopted_from_${decision.source}`, upstreamJobId: decision.upstreamJobId });
      if (!email) return { kind: 'again' };
      await leases.renew(email, row.id);
      if (await markRunning(ctx.db, row.id, email, decision.upstreamJobId)) {
        logger.warn(
          { ...log, upstreamJobId: decision.upstreamJobId, source: decision.source },
          'interrupted submission found upstream: resumed, not resubmitted',
        );
      }
      return { kind: 'again' };
    }
    case 'resubmit':
      if (decision.ambiguous && attempt) {
        await settleSubmission(ctx.db, attempt.id, { outcome: 'lost_resubmitted' });
        logger.warn(log, 'interrupted submission not found upstream in time: submitting again');
      }
      if (await markRequeued(ctx.db, row.id, false)) {
        if (email) await leases.release(email, row.id);
      }
      return { kind: 'again' };
    case 'fail': {
      if (attempt) await settleSubmission(ctx.db, attempt.id, { outcome: 'lost_failed' });
      const error = { code: 'upstream_failed' as const, message: decision.message };
      if (!(await markFailed(ctx.db, row.id, error, ['submitting']))) return { kind: 'again' };
      if (email) await leases.release(email, row.id);
      logger.warn(log, 'interrupted submission not found upstream in time: failed (FLOWQ_ON_AMBIGUOUS=fail)');
      return { kind: 'fail', error };
    }
  }
}

/** The account's upstream jobs (executing, then recent), as seen by their replyRef; undefined when useapi would not say. */
async function upstreamSightings(ctx: StepContext, email: string): Promise<UpstreamSighting[] | undefined> {
  const out: UpstreamSighting[] = [];
  for (const executing of [true, false]) {
    const answer = await ctx.deps.client.listJobs({ email, executing });
    if (!answer.ok) return undefined;
    out.push(...answer.data.map(sightingOf));
  }
  return out;
}
