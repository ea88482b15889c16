import { markFailed, markRequeued, type Db, type JobRow } from '@flowq/db';
import { readAndClearCallbackHint } from '@flowq/queue';
import type { UpstreamOutcome } from '@flowq/useapi-client';
import type { WorkerDeps } from '../deps';
import { nextStepAfterFailure, type Step } from '../next-step';

/** What every step needs: the worker's dependencies plus what is derived from them once. */
export interface StepContext {
  deps: WorkerDeps;
  db: Db;
  /** Random source for jitter (tests pin it). */
  random: () => number;
  /** Retry delays and quarantine lengths handed to `classifyAnswer`. */
  policy: { retryDelayMs: WorkerDeps['config']['worker']['retryDelayMs']; quarantine: WorkerDeps['config']['accounts']['quarantine'] };
}

export function createStepContext(deps: WorkerDeps): StepContext {
  return {
    deps,
    db: deps.database.db,
    random: deps.random ?? Math.random,
    policy: { retryDelayMs: deps.config.worker.retryDelayMs, quarantine: deps.config.accounts.quarantine },
  };
}

/** The slots a job holds while it runs: image calls have their own lane, everything else holds a video slot. */
export function slotsOf(
  ctx: StepContext,
  row: Pick<JobRow, 'kind'>,
): { renew(email: string, jobId: string): Promise<void>; release(email: string, jobId: string): Promise<void> } {
  return row.kind === 'image' ? ctx.deps.imageLeases : ctx.deps.leases;
}

/** A failure that is nobody's fault and costs one real attempt (a lost generation, a submit without a jobid). */
export function transientFailure(ctx: StepContext, message: string): Extract<UpstreamOutcome, { type: 'retry_soon' }> {
  return { type: 'retry_soon', kind: 'transient_error', delayMs: ctx.deps.config.worker.retryDelayMs.min, countsAgainstAccount: false, message };
}

/**
 * The upstream job runs: sleep until its callback wakes us, or the poll interval passes. A
 * callback that already came (its hint is there) means look now.
 */
export async function waitForUpstream(ctx: StepContext, jobId: string, upstreamJobId: string): Promise<Step> {
  const { redis, config } = ctx.deps;
  const hint = await readAndClearCallbackHint(redis, config.redis.prefix, jobId);
  return hint ? { kind: 'again' } : sleepUntilCallback(ctx, upstreamJobId);
}

/**
 * Sleep until the upstream job's callback (or the poll interval). Right after a submission no
 * callback is expected for a while, so the hint is not read first: the runner looks for one once
 * the job is delayed, and promotes it if a callback came meanwhile.
 */
export function sleepUntilCallback(ctx: StepContext, upstreamJobId: string): Step {
  return { kind: 'sleep', ms: ctx.deps.config.worker.pollIntervalMs, reason: 'waiting for upstream', awaitsCallback: true, awaits: upstreamJobId };
}

/**
 * An upstream answer that is not a success: the account learns from it, then `nextStepAfterFailure`
 * decides whether the job fails or waits (and whether that burns an attempt), and the row says so.
 * `limitAtAcquire`: for a video submission's answer, the limit its slot was taken under.
 */
export async function afterFailure(
  ctx: StepContext,
  row: JobRow,
  email: string,
  outcome: Exclude<UpstreamOutcome, { type: 'success' }>,
  limitAtAcquire?: number,
): Promise<Step> {
  const { leases, config, logger } = ctx.deps;
  await leases.recordOutcome(email, row, outcome, new Date(), limitAtAcquire);
  const step = nextStepAfterFailure(
    outcome,
    { attempts: row.attempts, maxAttempts: config.worker.maxAttempts },
    { tokenProbeIntervalMs: config.worker.tokenProbeIntervalMs },
  );
  if (step.kind === 'fail') {
    await markFailed(ctx.db, row.id, step.error);
    logger.info({ jobId: row.id, code: step.error.code }, 'job failed');
    return step;
  }
  await markRequeued(ctx.db, row.id, step.countAttempt);
  return { kind: 'sleep', ms: step.ms, reason: outcome.type, ...(step.park ? { park: true } : {}) };
}
