import { Readable } from 'node:stream';
import { ConflictError, isVideoModel, maxCreditsFor, NotFoundError, type JobStatus } from '@flowq/core';
import {
  batchJobGroups,
  batchExportShape,
  followUpIdsByParent,
  cancelQueuedBatchJobs,
  findBatch,
  listBatches,
  listBatchJobs,
  reopenBatchCallback,
  requeueBatchJobs,
  setBatchBudget,
  updateBatch,
  type BatchRow,
} from '@flowq/db';
import { enqueueGenerateBulk } from '@flowq/queue';
import { batchProgress, type BatchProgress } from '../batches/batch-progress';
import { resultCsvHeader, resultCsvLine, resultOfJob, resultOfRejectedRow, type ResultRecord } from '../batches/results-format';
import type { ApiDeps } from '../deps';
import type { MediaLinks } from '../media/media-links';
import { createBatchIngest } from './batch-ingest';
import type { ImageService } from '../images/image-service';

const EXPORT_PAGE = 1_000;
/** BullMQ removals in flight at once when a retry replaces finished BullMQ jobs. */
const REMOVE_CONCURRENCY = 50;

export interface BatchState {
  batch: BatchRow;
  progress: BatchProgress;
}

/**
 * Batches as the API sees them: ingest (batch-ingest.ts), progress read from the jobs
 * themselves, exports streamed page by page in input order, cancel and retry.
 */
export function createBatchService(deps: ApiDeps, links: MediaLinks, images?: ImageService) {
  const { database, queue } = deps;
  const { db } = database;
  const ingest = createBatchIngest(deps, images);

  /** `owner` set: a batch of another owner is not found (see ownerScope). */
  async function mustFind(id: string, owner?: string): Promise<BatchRow> {
    const row = await findBatch(db, id);
    if (!row || (owner !== undefined && row.ownerKey !== owner)) throw new NotFoundError(`Batch ${id} not found`);
    return row;
  }

  /** Records what the jobs say about the batch: when it started, and when every job ended. */
  async function settle(batch: BatchRow, progress: BatchProgress): Promise<BatchRow> {
    const set: Partial<Pick<BatchRow, 'status' | 'startedAt' | 'finishedAt'>> = {};
    if (progress.startedAt && !batch.startedAt) set.startedAt = progress.startedAt;
    if (progress.finishedAt && !batch.finishedAt && (batch.status === 'active' || batch.status === 'cancelled')) {
      set.finishedAt = progress.finishedAt;
      if (batch.status === 'active') set.status = 'finished';
    }
    if (Object.keys(set).length === 0) return batch;
    return (await updateBatch(db, batch.id, [batch.status], set)) ?? batch;
  }

  async function states(rows: BatchRow[], now = new Date()): Promise<BatchState[]> {
    const groups = await batchJobGroups(
      db,
      rows.map((r) => r.id),
    );
    return Promise.all(
      rows.map(async (batch) => {
        const progress = batchProgress(
          groups.filter((g) => g.batchId === batch.id),
          now,
        );
        return { batch: await settle(batch, progress), progress };
      }),
    );
  }

  /** Jobs back to `queued` in Postgres: their old BullMQ jobs keep the flowq ids and have to go before the same ids can be queued again. */
  async function queueAgain(rows: { id: string; priority: number; batchRow: number | null }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += REMOVE_CONCURRENCY) {
      await Promise.all(rows.slice(i, i + REMOVE_CONCURRENCY).map((r) => queue.remove(r.id).catch(() => 0)));
    }
    for (let i = 0; i < rows.length; i += 2_000) await enqueueGenerateBulk(queue, rows.slice(i, i + 2_000));
  }

  return {
    create: ingest,

    async get(id: string, owner?: string): Promise<BatchState> {
      const [state] = await states([await mustFind(id, owner)]);
      return state!;
    },

    async list(opts: { limit: number; cursor?: string; ownerKey?: string }) {
      const page = await listBatches(db, opts);
      return { items: await states(page.items), nextCursor: page.nextCursor };
    },

    async jobs(id: string, opts: { status?: JobStatus; limit: number; cursor?: number }, owner?: string) {
      await mustFind(id, owner);
      return listBatchJobs(db, {
        batchId: id,
        limit: opts.limit,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.cursor !== undefined ? { afterRow: opts.cursor } : {}),
      });
    },

    /** Every input row in input order, read a page at a time: the first line leaves before the last row is read. */
    async results(id: string, format: 'csv' | 'json', owner?: string): Promise<Readable> {
      const batch = await mustFind(id, owner);
      const shape = await batchExportShape(db, id);
      const problems = new Map<number, { column: string; message: string }[]>();
      for (const e of batch.errors ?? []) problems.set(e.row, [...(problems.get(e.row) ?? []), e]);

      async function* records(): AsyncGenerator<ResultRecord> {
        let expected = 1;
        let cursor: number | undefined;
        for (;;) {
          const page = await listBatchJobs(db, { batchId: id, limit: EXPORT_PAGE, ...(cursor !== undefined ? { afterRow: cursor } : {}) });
          const followUps = shape.chains
            ? await followUpIdsByParent(
                db,
                page.items.map((j) => j.id),
              )
            : new Map<string, string[]>();
          for (const job of page.items) {
            const row = job.batchRow ?? expected;
            for (; expected < row; expected++) yield resultOfRejectedRow(expected, problems.get(expected) ?? []);
            yield resultOfJob(job, links, followUps.get(job.id));
            expected = row + 1;
          }
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        for (; expected <= batch.total; expected++) yield resultOfRejectedRow(expected, problems.get(expected) ?? []);
      }

      async function* csv(): AsyncGenerator<string> {
        yield resultCsvHeader(shape);
        for await (const r of records()) yield resultCsvLine(r, shape);
      }

      async function* json(): AsyncGenerator<string> {
        let first = true;
        yield '[';
        for await (const r of records()) {
          const { errorCode, errorMessage, ...rest } = r;
          yield `${first ? '\n' : ',\n'}${JSON.stringify({ ...rest, error: errorCode ? { code: errorCode, message: errorMessage } : null })}`;
          first = false;
        }
        yield '\n]\n';
      }

      return Readable.from(format === 'csv' ? csv() : json());
    },

    /** Queued jobs are cancelled; jobs already submitted finish (a running generation cannot be stopped). */
    async cancel(id: string, owner?: string): Promise<BatchState & { cancelled: number }> {
      const batch = await mustFind(id, owner);
      if (batch.status === 'finished' || batch.status === 'failed') throw new ConflictError(`Batch ${id} is already ${batch.status}`);
      const cancelled = await cancelQueuedBatchJobs(db, id);
      await updateBatch(db, id, ['active'], { status: 'cancelled' });
      // The cancelled jobs' BullMQ entries stay: a worker taking one finds it ended and drops it at once.
      const [state] = await states([await mustFind(id)]);
      return { ...state!, cancelled };
    },

    /**
     * Sets, raises, lowers or (null) removes the batch's budget. Jobs waiting `over_budget` are
     * queued again and each is checked anew when a worker takes it: those the new budget covers
     * run, the others wait again.
     */
    async setBudget(id: string, maxCredits: number | null, owner?: string): Promise<BatchState & { requeued: number }> {
      const batch = await mustFind(id, owner);
      if (batch.status === 'ingesting') throw new ConflictError(`Batch ${id} is still being read`);
      // An image job's request names an image model: it costs nothing (JOB_KIND_SPECS).
      const inFlightCost = (request: Parameters<typeof maxCreditsFor>[0]) => (isVideoModel(request.model) ? maxCreditsFor(request) : 0);
      const changed = await setBatchBudget(db, id, maxCredits, new Date(Date.now() + deps.config.worker.deadlineMs), inFlightCost);
      if (!changed) throw new NotFoundError(`Batch ${id} not found`);
      const rows = changed.resumed;
      if (rows.length > 0) {
        // Their BullMQ jobs completed when they went over budget.
        await queueAgain(rows);
      }
      const [state] = await states([await mustFind(id)]);
      return { ...state!, requeued: rows.length };
    },

    /** Jobs that failed (or were cancelled) go back to the queue as fresh jobs, in their fair-share place. */
    async retry(id: string, status: 'failed' | 'cancelled', owner?: string): Promise<BatchState & { requeued: number }> {
      await mustFind(id, owner);
      const rows = await requeueBatchJobs(db, id, status, new Date(Date.now() + deps.config.worker.deadlineMs));
      if (rows.length > 0) {
        await updateBatch(db, id, ['finished', 'cancelled', 'active'], { status: 'active', finishedAt: null });
        // Its jobs run again, so the batch ends again: a new batch.completed then.
        await reopenBatchCallback(db, id);
        await queueAgain(rows);
      }
      const [state] = await states([await mustFind(id)]);
      return { ...state!, requeued: rows.length };
    },
  };
}

export type BatchService = ReturnType<typeof createBatchService>;
