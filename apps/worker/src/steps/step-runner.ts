import { findJob, type JobRow } from '@flowq/db';
import { delayFields, generatePayload, hasCallbackHint, isFirstLook, moveToDelayedWith, type GeneratePayload } from '@flowq/queue';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import type { Step } from '../next-step';
import { createStepContext } from './step-context';
import { takeStep } from './take-step';

/** Optional hooks of the processor. */
export interface ProcessorHooks {
  /** True when the error means Postgres is away: the step is delayed instead of failed. */
  databaseUnavailable?(err: unknown): boolean;
}

/** How soon a step caught by a Postgres outage runs again (the worker is paused meanwhile). */
const DATABASE_RETRY_MS = 1_000;

/** Steps one BullMQ job may take in a row before it yields its worker slot. */
const STEPS_IN_A_ROW = 5;

/**
 * The BullMQ side of the step machine, and the only place that talks to BullMQ about a job:
 * one BullMQ job drives one flowq job. Each step (steps/*-step.ts) reads the row and returns
 * a `Step`; this runner turns it into BullMQ calls:
 * - `again`: take the next step now (up to STEPS_IN_A_ROW);
 * - `sleep`: move to delayed (holding no worker slot) until a callback, a freed slot or the
 *   timer wakes it; with `park`, also enter the waiting room;
 * - `done`: complete; `fail`: fail for good (UnrecoverableError).
 */
export function createGenerateProcessor(deps: WorkerDeps, hooks: ProcessorHooks = {}) {
  const ctx = createStepContext(deps);
  const { config, leases, redis } = deps;

  async function sleep(job: Job<GeneratePayload>, jobId: string, next: Extract<Step, { kind: 'sleep' }>, token?: string): Promise<never> {
    // Listed in the waiting room before the delay, so every delayed parked job is listed (a
    // failure between the two leaves the job active, and BullMQ runs it again); a wake-up that
    // finds it still active leaves a flag, read below. The row the step just read says what the
    // job waits for (priority, pin, model).
    const parked = next.park ? (next.row ?? (await findJob(ctx.db, jobId))) : undefined;
    const lane = parked?.kind === 'image' ? deps.imageLeases : leases;
    // Listed already by the acquire that found others waiting: listing it again could bring back
    // an entry a release popped meanwhile.
    if (parked && !next.listed) await lane.enterWaitingRoom(parked);
    // A job that has been looked at once runs ahead of fresh intake from now on (`delayFields`):
    // its new priority is written by the move itself.
    // So does what the sleep awaits (the payload's `awaits`: the woken step reads the callback's hint first).
    await moveToDelayedWith(job, Date.now() + next.ms, token, delayFields(job.priority, job.data, next.awaits));
    // A callback that came between our hint check and the delay could not promote us (we
    // were active); its hint is still there, so we wake ourselves instead of a full poll later.
    if (next.awaitsCallback && (await hasCallbackHint(redis, config.redis.prefix, jobId))) await job.promote().catch(() => undefined);
    if (parked && (await lane.afterParking(parked))) await job.promote().catch(() => undefined);
    throw new DelayedError(next.reason);
  }

  async function run(job: Job<GeneratePayload>, payload: GeneratePayload, token?: string): Promise<JobRow | undefined> {
    const { jobId } = payload;
    for (let i = 0; i < STEPS_IN_A_ROW; i++) {
      // What the last sleep awaited holds for the first step only: the next ones follow this one.
      const next = await takeStep(ctx, jobId, i === 0 && isFirstLook(job.priority), i === 0 ? payload.awaits : undefined);
      if (next.kind === 'done') return next.ended;
      if (next.kind === 'fail') throw new UnrecoverableError(`${next.error.code}: ${next.error.message}`);
      if (next.kind === 'sleep') await sleep(job, jobId, next, token);
    }
    await moveToDelayedWith(job, Date.now() + config.worker.pollIntervalMs, token, delayFields(job.priority, payload));
    throw new DelayedError('stepped too often in one go');
  }

  /** Resolves to the row as the step ended the job, when it did. */
  return async function processGenerateJob(job: Job<GeneratePayload>, token?: string): Promise<JobRow | undefined> {
    const payload = generatePayload.parse(job.data);
    try {
      return await run(job, payload, token);
    } catch (err) {
      if (err instanceof DelayedError || err instanceof UnrecoverableError || !hooks.databaseUnavailable?.(err)) throw err;
      // Postgres went away mid-step: nothing is lost (the row says where the job is), so the step
      // waits instead of failing and runs again from the row once the worker resumes.
      await moveToDelayedWith(job, Date.now() + DATABASE_RETRY_MS, token, delayFields(job.priority, payload));
      throw new DelayedError('postgres unavailable');
    }
  };
}
