import { isTerminal, newId } from '@flowq/core';
import {
  beginSubmission,
  callbackJobIdsFor,
  findJob,
  latestSubmission,
  markFailed,
  markRequeued,
  markRunning,
  markSucceeded,
  recordAttempt,
  settleSubmission,
  type JobRow,
} from '@flowq/db';
import { FOLLOW_UP_PRIORITY, generatePayload, type GeneratePayload } from '@flowq/queue';
import { hasCallbackHint, readAndClearCallbackHint } from './callback-hint';
import { answerOfFailedJob, classifyAnswer, videosOf, type UpstreamAnswer, type UpstreamJobRecord, type UpstreamOutcome } from '@flowq/useapi-client';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { MAX_PARK_MS } from './account-scheduler';
import { PENDING_OUTCOME, resolveAmbiguousSubmission, sightingOf, type UpstreamSighting } from './ambiguous-submission';
import type { WorkerDeps } from './deps';
import { nextStepAfterFailure, type Step } from './next-step';

/** Optional hooks of the processor. */
export interface ProcessorHooks {
  /** True when the error means Postgres is away: the step is delayed instead of failed. */
  databaseUnavailable?(err: unknown): boolean;
}

/** How soon a step caught by a Postgres outage runs again (the worker is paused meanwhile). */
const DATABASE_RETRY_MS = 1_000;

/** The callback URL useapi is given for a job; the API serves it (routes/webhooks). */
export function replyUrlFor(publicUrl: string, job: JobRow): string {
  return `${publicUrl}/v1/webhooks/useapi/${job.id}/${job.callbackSecret}`;
}

/**
 * One BullMQ job drives one flowq job through its states, a step at a time: submit, then
 * sleep (as a delayed BullMQ job, holding no worker slot) until a callback wakes it or the
 * poll interval passes, then read the upstream job, and so on until the row is terminal.
 * Postgres says where the job is, so any worker may take any step after any crash.
 */
export function createGenerateProcessor(deps: WorkerDeps, hooks: ProcessorHooks = {}) {
  const { database, client, leases, logger, config } = deps;
  const { db } = database;
  const random = deps.random ?? Math.random;
  const policy = { retryDelayMs: config.worker.retryDelayMs };

  async function waitForUpstream(jobId: string): Promise<Step> {
    const hint = await readAndClearCallbackHint(deps.redis, config.redis.prefix, jobId);
    return hint ? { kind: 'again' } : { kind: 'sleep', ms: config.worker.pollIntervalMs, reason: 'waiting for upstream', awaitsCallback: true };
  }

  async function onFailure(row: JobRow, email: string, outcome: Exclude<UpstreamOutcome, { type: 'success' }>): Promise<Step> {
    await leases.recordOutcome(email, row, outcome, new Date());
    const step = nextStepAfterFailure(
      outcome,
      { attempts: row.attempts, maxAttempts: config.worker.maxAttempts },
      { tokenProbeIntervalMs: config.worker.tokenProbeIntervalMs },
    );
    if (step.kind === 'fail') {
      await markFailed(db, row.id, step.error);
      logger.info({ jobId: row.id, code: step.error.code }, 'job failed');
      return step;
    }
    await markRequeued(db, row.id, step.countAttempt);
    return { kind: 'sleep', ms: step.ms, reason: outcome.type, ...(step.park ? { park: true } : {}) };
  }

  async function submit(row: JobRow, firstLook: boolean): Promise<Step> {
    const now = new Date();
    if (now > row.deadlineAt) {
      await markFailed(db, row.id, { code: 'expired', message: `not started before its deadline ${row.deadlineAt.toISOString()}` });
      return { kind: 'done' };
    }
    const lease = await leases.acquire(row, now, { firstLook });
    if (!lease.ok && lease.kind === 'impossible') {
      await markFailed(db, row.id, { code: lease.code, message: lease.message });
      return { kind: 'fail', error: { code: lease.code, message: lease.message } };
    }
    if (!lease.ok) {
      const ms = Math.min(MAX_PARK_MS, Math.max(50, lease.retryAt - now.getTime()));
      return { kind: 'sleep', ms, reason: lease.reason, park: true, row };
    }
    // Recorded before the POST, in the same transaction that marks the job `submitting`: if this
    // process dies before the answer is written, the next step finds the attempt and looks for it
    // upstream by its id (sent as replyRef) instead of paying for a second generation.
    const attemptId = newId('att');
    const began = await beginSubmission(db, { jobId: row.id, account: lease.email, attemptId, startedAt: new Date() });
    if (!began) {
      await leases.release(lease.email, row.id);
      return { kind: 'again' };
    }
    const answer = await client.submitVideo({
      ...row.request,
      email: lease.email,
      replyUrl: replyUrlFor(config.http.publicUrl, row),
      replyRef: attemptId,
    });
    return settle(began, lease.email, attemptId, answer);
  }

  async function settle(row: JobRow, email: string, attemptId: string, answer: UpstreamAnswer<UpstreamJobRecord>): Promise<Step> {
    const outcome = classifyAnswer(answer, { now: new Date(), model: row.request.model, operation: 'submitVideo', random }, policy);
    const upstreamJobId = answer.ok ? answer.data.jobid : null;
    await settleSubmission(db, attemptId, {
      statusCode: answer.status,
      outcome: outcome.type,
      reason: answer.ok ? null : (answer.error.reason ?? answer.error.message),
      upstreamJobId,
      detail: answer.ok ? null : answer.error.raw,
    });
    if (outcome.type === 'success' && upstreamJobId) {
      await leases.recordOutcome(email, row, outcome, new Date());
      const running = await markRunning(db, row.id, email, upstreamJobId);
      // Not `submitting` any more: cancelled (the next step frees the slot) or already resumed
      // by another worker that found this attempt (it holds the slot now).
      if (!running) return { kind: 'again' };
      logger.debug({ jobId: row.id, account: email, upstreamJobId }, 'submitted');
      return waitForUpstream(row.id);
    }
    // The account's new state (cooling, needs_reauth, ...) is written before its slot is freed,
    // so the job that takes the slot next already sees it.
    const step = await onFailure(
      row,
      email,
      outcome.type === 'success'
        ? { type: 'retry_soon', kind: 'transient_error', delayMs: 5_000, countsAgainstAccount: false, message: 'submit answered without a jobid' }
        : outcome,
    );
    await leases.release(email, row.id);
    return step;
  }

  /** The account's upstream jobs (executing, then recent), as seen by their replyRef; undefined when useapi would not say. */
  async function upstreamSightings(email: string): Promise<UpstreamSighting[] | undefined> {
    const out: UpstreamSighting[] = [];
    for (const executing of [true, false]) {
      const answer = await client.listJobs({ email, executing });
      if (!answer.ok) return undefined;
      out.push(...answer.data.map(sightingOf));
    }
    return out;
  }

  /**
   * The job is `submitting` as a step starts: its last submission's answer was never written
   * (a worker died mid-POST, or its lock stalled and it may still be posting). Find out whether
   * useapi took it before ever submitting again.
   */
  async function recover(row: JobRow): Promise<Step> {
    const attempt = await latestSubmission(db, row.id);
    const email = attempt?.account ?? row.account;
    const unresolved = attempt !== undefined && attempt.outcome === PENDING_OUTCOME && !attempt.upstreamJobId;
    const callbacks = unresolved ? (await callbackJobIdsFor(db, row.id, attempt.id)).map((id) => ({ replyRef: attempt.id, upstreamJobId: id })) : [];
    const listing = unresolved && callbacks.length === 0 && email ? await upstreamSightings(email) : [];
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
          await settleSubmission(db, attempt.id, { outcome: `adopted_from_${decision.source}`, upstreamJobId: decision.upstreamJobId });
        if (!email) return { kind: 'again' };
        await leases.renew(email, row.id);
        if (await markRunning(db, row.id, email, decision.upstreamJobId)) {
          logger.warn(
            { ...log, upstreamJobId: decision.upstreamJobId, source: decision.source },
            'interrupted submission found upstream: resumed, not resubmitted',
          );
        }
        return { kind: 'again' };
      }
      case 'resubmit':
        if (decision.ambiguous && attempt) {
          await settleSubmission(db, attempt.id, { outcome: 'lost_resubmitted' });
          logger.warn(log, 'interrupted submission not found upstream in time: submitting again');
        }
        if (await markRequeued(db, row.id, false)) {
          if (email) await leases.release(email, row.id);
        }
        return { kind: 'again' };
      case 'fail': {
        if (attempt) await settleSubmission(db, attempt.id, { outcome: 'lost_failed' });
        const error = { code: 'upstream_failed' as const, message: decision.message };
        if (!(await markFailed(db, row.id, error, ['submitting']))) return { kind: 'again' };
        if (email) await leases.release(email, row.id);
        logger.warn(log, 'interrupted submission not found upstream in time: failed (FLOWQ_ON_AMBIGUOUS=fail)');
        return { kind: 'fail', error };
      }
    }
  }

  async function follow(row: JobRow & { upstreamJobId: string; account: string }): Promise<Step> {
    // After an end callback the API has already given the slot away: renewing would take it back.
    if (!(await hasCallbackHint(deps.redis, config.redis.prefix, row.id))) await leases.renew(row.account, row.id);
    const startedAt = new Date();
    const answer = await client.getJob(row.upstreamJobId);
    if (answer.ok) {
      const record = answer.data;
      if (record.status === 'completed') {
        const result = videosOf(record);
        const made = result.videos.filter((v) => v.status === 'succeeded').length;
        await recordAttempt(db, {
          jobId: row.id,
          kind: 'poll',
          account: row.account,
          statusCode: answer.status,
          outcome: 'completed',
          upstreamJobId: row.upstreamJobId,
          startedAt,
        });
        await leases.release(row.account, row.id);
        if (made === 0) {
          return onFailure(row, row.account, {
            type: 'retry_soon',
            kind: 'transient_error',
            delayMs: config.worker.retryDelayMs.min,
            countsAgainstAccount: false,
            message: 'every clip of the generation failed',
          });
        }
        await leases.recordGeneration(row.account, true, row.startedAt ? Date.now() - row.startedAt.getTime() : null);
        await markSucceeded(db, row.id, result);
        logger.info({ jobId: row.id, account: row.account, videos: made, ms: Date.now() - row.createdAt.getTime() }, 'job succeeded');
        return { kind: 'done' };
      }
      if (record.status === 'failed') {
        const failure = answerOfFailedJob(record);
        const outcome = classifyAnswer(failure, { now: new Date(), model: row.request.model, operation: 'getJob', random }, policy);
        await recordAttempt(db, {
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
        return onFailure(row, row.account, outcome);
      }
      return waitForUpstream(row.id);
    }
    const outcome = classifyAnswer(answer, { now: new Date(), model: row.request.model, operation: 'getJob', random }, policy);
    await recordAttempt(db, {
      jobId: row.id,
      kind: 'poll',
      account: row.account,
      statusCode: answer.status,
      outcome: outcome.type,
      reason: answer.error.reason ?? answer.error.message,
      upstreamJobId: row.upstreamJobId,
      startedAt,
    });
    if (outcome.type === 'permanent' && outcome.code === 'upstream_expired') {
      // useapi forgot the job before we read its result: the generation is lost; try again.
      await leases.release(row.account, row.id);
      return onFailure(row, row.account, {
        type: 'retry_soon',
        kind: 'transient_error',
        delayMs: config.worker.retryDelayMs.min,
        countsAgainstAccount: false,
        message: outcome.message,
      });
    }
    // Polls that fail for capacity or network reasons are simply tried again later.
    return { kind: 'sleep', ms: config.worker.pollIntervalMs, reason: `poll ${outcome.type}` };
  }

  async function step(jobId: string, firstLook: boolean): Promise<Step> {
    const row = await findJob(db, jobId);
    if (!row) return { kind: 'done' };
    if (isTerminal(row.status)) {
      if (row.status === 'cancelled' && row.account) await leases.release(row.account, row.id);
      return { kind: 'done' };
    }
    if (row.status === 'running' && row.upstreamJobId && row.account) {
      return follow(row as JobRow & { upstreamJobId: string; account: string });
    }
    if (row.status === 'submitting') return recover(row);
    return submit(row, firstLook);
  }

  async function run(job: Job<GeneratePayload>, jobId: string, token?: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const next = await step(jobId, i === 0 && job.priority !== FOLLOW_UP_PRIORITY);
      if (next.kind === 'done') return;
      if (next.kind === 'fail') throw new UnrecoverableError(`${next.error.code}: ${next.error.message}`);
      if (next.kind === 'sleep') {
        // A job that has been looked at once runs ahead of fresh intake from now on: a confirmed
        // result or a freed slot must not wait behind thousands of new jobs being triaged.
        if (job.priority !== FOLLOW_UP_PRIORITY) await job.changePriority({ priority: FOLLOW_UP_PRIORITY });
        await job.moveToDelayed(Date.now() + next.ms, token);
        // A callback that came between our hint check and the delay could not promote us (we
        // were active); its hint is still there, so we wake ourselves instead of a full poll later.
        if (next.awaitsCallback && (await hasCallbackHint(deps.redis, config.redis.prefix, jobId))) await job.promote().catch(() => undefined);
        // Parked only once delayed, so a wake-up can always promote it.
        if (next.park) {
          // The row the step just read is enough to know what the job waits for (priority, pin, model).
          const row = next.row ?? (await findJob(db, jobId));
          if (row && (await leases.park(row))) await job.promote().catch(() => undefined);
        }
        throw new DelayedError(next.reason);
      }
    }
    await job.moveToDelayed(Date.now() + config.worker.pollIntervalMs, token);
    throw new DelayedError('stepped too often in one go');
  }

  return async function processGenerateJob(job: Job<GeneratePayload>, token?: string): Promise<void> {
    const { jobId } = generatePayload.parse(job.data);
    try {
      await run(job, jobId, token);
    } catch (err) {
      if (err instanceof DelayedError || err instanceof UnrecoverableError || !hooks.databaseUnavailable?.(err)) throw err;
      // Postgres went away mid-step: nothing is lost (the row says where the job is), so the step
      // waits instead of failing and runs again from the row once the worker resumes.
      await job.moveToDelayed(Date.now() + DATABASE_RETRY_MS, token);
      throw new DelayedError('postgres unavailable');
    }
  };
}
