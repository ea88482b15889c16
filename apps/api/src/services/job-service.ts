import {
  ConflictError,
  isTerminal,
  NotFoundError,
  type ExtendRequest,
  type ImageRequest,
  type JobKind,
  type UpscaleRequest,
  type VideoRequest,
} from '@flowq/core';
import { findJob, followUpIdsOf, insertJob, listCallbackDeliveries, listJobs, markCancelled, setJobBudget, type JobRow } from '@flowq/db';
import { createWaitingRoom, enqueueGenerate, INTERACTIVE_PRIORITY, wakeJob } from '@flowq/queue';
import type { ApiDeps } from '../deps';
import { resolveEditRequest } from './source-resolution';

export interface CreateJobInput {
  /** Default `video`. */
  kind?: JobKind;
  request: VideoRequest | ImageRequest | UpscaleRequest | ExtendRequest;
  priority?: number;
  metadata?: unknown;
  ownerKey?: string;
  /** Already checked (checkCallbackUrl). */
  callbackUrl?: string | null;
  maxCredits?: number | null;
}

/**
 * Jobs as the API sees them. The row is committed before anything is queued or answered:
 * if Redis refuses the enqueue, the job still exists as `queued` and the worker's
 * reconciler queues it when Redis answers again.
 */
export function createJobService({ config, database, queue, redis, logger }: ApiDeps) {
  const { db } = database;
  const waitingRoom = createWaitingRoom(redis, config.redis.prefix);

  async function mustFind(id: string, owner?: string): Promise<JobRow> {
    const row = await findJob(db, id);
    if (!row || (owner !== undefined && row.ownerKey !== owner)) throw new NotFoundError(`Job ${id} not found`);
    return row;
  }

  /** Queues a committed `queued` job; when Redis does not take it in time, the reconciler will. */
  async function enqueueOrLeaveToReconciler(id: string, priority: number): Promise<void> {
    try {
      // A command caught by a dropped connection waits for the reconnect; the client should not.
      await withTimeout(enqueueGenerate(queue, id, priority), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      logger.warn({ err, jobId: id }, 'enqueue failed; the job stays queued in Postgres and the reconciler will queue it');
    }
  }

  return {
    async create(input: CreateJobInput): Promise<JobRow> {
      const priority = input.priority ?? INTERACTIVE_PRIORITY;
      const kind = input.kind ?? 'video';
      const request =
        kind === 'upscale' || kind === 'extend'
          ? await resolveEditRequest(db, kind, input.request as UpscaleRequest | ExtendRequest, { owner: input.ownerKey, maxCredits: input.maxCredits })
          : input.request;
      const row = await insertJob(db, {
        kind,
        request,
        priority,
        metadata: input.metadata,
        ownerKey: input.ownerKey ?? null,
        callbackUrl: input.callbackUrl ?? null,
        maxCredits: input.maxCredits ?? null,
        deadlineMs: config.worker.deadlineMs,
      });
      await enqueueOrLeaveToReconciler(row.id, priority);
      return row;
    },

    /** `owner` set: a job of another owner is not found (see ownerScope). */
    get: (id: string, owner?: string) => mustFind(id, owner),

    list: (opts: Parameters<typeof listJobs>[1]) => listJobs(db, opts),

    /** The job's client callbacks with their attempts; another owner's job is not found. */
    async deliveries(id: string, owner?: string) {
      await mustFind(id, owner);
      return listCallbackDeliveries(db, { jobId: id });
    },

    /** Sets or removes the job's budget; a job waiting `over_budget` is queued again (with a fresh deadline) to be checked anew. */
    async setBudget(id: string, maxCredits: number | null, owner?: string): Promise<JobRow> {
      const before = await mustFind(id, owner);
      if (isTerminal(before.status)) throw new ConflictError(`Job ${id} is already ${before.status}`);
      const changed = await setJobBudget(db, id, maxCredits, new Date(Date.now() + config.worker.deadlineMs));
      if (!changed) throw new NotFoundError(`Job ${id} not found`);
      if (changed.resumed) {
        // Its BullMQ job completed when it went over budget; the same id can be queued only once that one is gone.
        await queue.remove(id).catch(() => 0);
        await enqueueOrLeaveToReconciler(id, changed.row.priority);
      }
      return changed.row;
    },

    /**
     * Cancels the job and its chain: follow-ups already created (the job succeeded) are cancelled
     * too, and a job cancelled before it succeeds never creates any. A finished job whose chain
     * still ran is answered 200 with the chain cancelled; 409 when nothing was left to cancel.
     */
    async cancel(id: string, owner?: string): Promise<JobRow> {
      if (owner !== undefined) await mustFind(id, owner);
      const chain: string[] = [];
      for (const childId of await followUpIdsOf(db, id)) {
        if (await markCancelled(db, childId)) chain.push(childId);
      }
      const cancelled = await markCancelled(db, id);
      // Wake each cancelled job so the worker releases its account slot now, not at its next poll.
      for (const jobId of cancelled ? [id, ...chain] : chain) await wakeJob(queue, waitingRoom, jobId).catch(() => undefined);
      if (!cancelled) {
        const row = await findJob(db, id);
        if (!row) throw new NotFoundError(`Job ${id} not found`);
        if (chain.length > 0) return row;
        throw new ConflictError(`Job ${id} is already ${row.status}`);
      }
      return cancelled;
    },

    /** The jobs this job's chain created. */
    followUps: (id: string) => followUpIdsOf(db, id),
  };
}

export type JobService = ReturnType<typeof createJobService>;

/** Longest a POST waits for Redis to take a job it has already committed; the reconciler queues it later. */
const ENQUEUE_TIMEOUT_MS = 1_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`enqueue took longer than ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
