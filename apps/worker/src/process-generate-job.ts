import { isTerminal } from '@flowq/core';
import {
  findJob,
  markFailed,
  markRequeued,
  markRunning,
  markSubmitting,
  markSucceeded,
  recordAttempt,
  type JobRow,
} from '@flowq/db';
import { generatePayload, type GeneratePayload } from '@flowq/queue';
import { readAndClearCallbackHint } from './callback-hint';
import { answerOfFailedJob, classifyAnswer, videosOf, type UpstreamOutcome } from '@flowq/useapi-client';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { MAX_PARK_MS } from './account-scheduler';
import type { WorkerDeps } from './deps';
import { nextStepAfterFailure, type Step } from './next-step';

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
export function createGenerateProcessor(deps: WorkerDeps) {
  const { database, client, leases, logger, config } = deps;
  const { db } = database;
  const random = deps.random ?? Math.random;
  const policy = { retryDelayMs: config.worker.retryDelayMs };

  async function waitForUpstream(jobId: string): Promise<Step> {
    const hint = await readAndClearCallbackHint(deps.redis, config.redis.prefix, jobId);
    return hint ? { kind: 'again' } : { kind: 'sleep', ms: config.worker.pollIntervalMs, reason: 'waiting for upstream' };
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

  async function submit(row: JobRow): Promise<Step> {
    const now = new Date();
    if (now > row.deadlineAt) {
      await markFailed(db, row.id, { code: 'expired', message: `not started before its deadline ${row.deadlineAt.toISOString()}` });
      return { kind: 'done' };
    }
    const lease = await leases.acquire(row, now);
    if (!lease.ok && lease.kind === 'impossible') {
      await markFailed(db, row.id, { code: lease.code, message: lease.message });
      return { kind: 'fail', error: { code: lease.code, message: lease.message } };
    }
    if (!lease.ok) {
      const ms = Math.min(MAX_PARK_MS, Math.max(50, lease.retryAt - now.getTime()));
      return { kind: 'sleep', ms, reason: lease.reason, park: true };
    }
    const marked = await markSubmitting(db, row.id, lease.email);
    if (!marked) {
      await leases.release(lease.email, row.id);
      return { kind: 'again' };
    }
    const startedAt = new Date();
    const answer = await client.submitVideo({
      ...row.request,
      email: lease.email,
      replyUrl: replyUrlFor(config.http.publicUrl, row),
      replyRef: row.id,
    });
    const outcome = classifyAnswer(answer, { now: new Date(), model: row.request.model, operation: 'submitVideo', random }, policy);
    const upstreamJobId = answer.ok ? answer.data.jobid : null;
    await recordAttempt(db, {
      jobId: row.id,
      kind: 'submit',
      account: lease.email,
      statusCode: answer.status,
      outcome: outcome.type,
      reason: answer.ok ? null : (answer.error.reason ?? answer.error.message),
      upstreamJobId,
      startedAt,
      detail: answer.ok ? null : answer.error.raw,
    });
    if (outcome.type === 'success' && upstreamJobId) {
      await leases.recordOutcome(lease.email, row, outcome, new Date());
      const running = await markRunning(db, row.id, lease.email, upstreamJobId);
      if (!running) {
        // Cancelled while submitting: the generation runs upstream regardless; let the slot go.
        await leases.release(lease.email, row.id);
        return { kind: 'again' };
      }
      logger.debug({ jobId: row.id, account: lease.email, upstreamJobId }, 'submitted');
      return waitForUpstream(row.id);
    }
    // The account's new state (cooling, needs_reauth, ...) is written before its slot is freed,
    // so the job that takes the slot next already sees it.
    const step = await onFailure(
      row,
      lease.email,
      outcome.type === 'success'
        ? { type: 'retry_soon', kind: 'transient_error', delayMs: 5_000, countsAgainstAccount: false, message: 'submit answered without a jobid' }
        : outcome,
    );
    await leases.release(lease.email, row.id);
    return step;
  }

  async function follow(row: JobRow & { upstreamJobId: string; account: string }): Promise<Step> {
    await leases.renew(row.account, row.id);
    const startedAt = new Date();
    const answer = await client.getJob(row.upstreamJobId);
    if (answer.ok) {
      const record = answer.data;
      if (record.status === 'completed') {
        const result = videosOf(record);
        const made = result.videos.filter((v) => v.status === 'succeeded').length;
        await recordAttempt(db, { jobId: row.id, kind: 'poll', account: row.account, statusCode: answer.status, outcome: 'completed', upstreamJobId: row.upstreamJobId, startedAt });
        await leases.release(row.account, row.id);
        if (made === 0) {
          return onFailure(row, row.account, { type: 'retry_soon', kind: 'transient_error', delayMs: config.worker.retryDelayMs.min, countsAgainstAccount: false, message: 'every clip of the generation failed' });
        }
        await leases.recordGeneration(row.account, true, row.startedAt ? Date.now() - row.startedAt.getTime() : null);
        await markSucceeded(db, row.id, result);
        logger.info({ jobId: row.id, account: row.account, videos: made, ms: Date.now() - row.createdAt.getTime() }, 'job succeeded');
        return { kind: 'done' };
      }
      if (record.status === 'failed') {
        const failure = answerOfFailedJob(record);
        const outcome = classifyAnswer(failure, { now: new Date(), model: row.request.model, operation: 'getJob', random }, policy);
        await recordAttempt(db, { jobId: row.id, kind: 'poll', account: row.account, statusCode: failure.status, outcome: outcome.type, reason: failure.error.reason ?? failure.error.message, upstreamJobId: row.upstreamJobId, startedAt, detail: failure.error.raw });
        await leases.release(row.account, row.id);
        if (outcome.type === 'success') return { kind: 'again' };
        return onFailure(row, row.account, outcome);
      }
      return waitForUpstream(row.id);
    }
    const outcome = classifyAnswer(answer, { now: new Date(), model: row.request.model, operation: 'getJob', random }, policy);
    await recordAttempt(db, { jobId: row.id, kind: 'poll', account: row.account, statusCode: answer.status, outcome: outcome.type, reason: answer.error.reason ?? answer.error.message, upstreamJobId: row.upstreamJobId, startedAt });
    if (outcome.type === 'permanent' && outcome.code === 'upstream_expired') {
      // useapi forgot the job before we read its result: the generation is lost; try again.
      await leases.release(row.account, row.id);
      return onFailure(row, row.account, { type: 'retry_soon', kind: 'transient_error', delayMs: config.worker.retryDelayMs.min, countsAgainstAccount: false, message: outcome.message });
    }
    // Polls that fail for capacity or network reasons are simply tried again later.
    return { kind: 'sleep', ms: config.worker.pollIntervalMs, reason: `poll ${outcome.type}` };
  }

  async function step(jobId: string): Promise<Step> {
    const row = await findJob(db, jobId);
    if (!row) return { kind: 'done' };
    if (isTerminal(row.status)) {
      if (row.status === 'cancelled' && row.account) await leases.release(row.account, row.id);
      return { kind: 'done' };
    }
    if (row.status === 'running' && row.upstreamJobId && row.account) {
      return follow(row as JobRow & { upstreamJobId: string; account: string });
    }
    return submit(row);
  }

  return async function processGenerateJob(job: Job<GeneratePayload>, token?: string): Promise<void> {
    const { jobId } = generatePayload.parse(job.data);
    for (let i = 0; i < 5; i++) {
      const next = await step(jobId);
      if (next.kind === 'done') return;
      if (next.kind === 'fail') throw new UnrecoverableError(`${next.error.code}: ${next.error.message}`);
      if (next.kind === 'sleep') {
        await job.moveToDelayed(Date.now() + next.ms, token);
        // Parked only once delayed, so a wake-up can always promote it.
        if (next.park) {
          const row = await findJob(db, jobId);
          if (row && (await leases.park(row))) await job.promote().catch(() => undefined);
        }
        throw new DelayedError(next.reason);
      }
    }
    await job.moveToDelayed(Date.now() + config.worker.pollIntervalMs, token);
    throw new DelayedError('stepped too often in one go');
  };
}
