import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  classifyImageInput,
  FlowqError,
  imageFieldsOf,
  newId,
  newSecret,
  PayloadTooLargeError,
  ValidationError,
  type ExtendRequest,
  type UpscaleRequest,
} from '@flowq/core';
import { batchJobsToEnqueue, insertBatchJobRows, insertBatchRecord, type BatchJobInsert } from '@flowq/db';
import { BATCH_PRIORITY, enqueueGenerateBulk } from '@flowq/queue';
import { InvalidRowsError, MAX_LISTED_ROW_ERRORS } from '@flowq/core';
import type { RawBatchRow } from '../batches/row-fields';
import { validateRow, type RowIssue, type ValidatedRow } from '../batches/row-validation';
import type { ApiDeps } from '../deps';
import type { ImageService } from '../images/image-service';
import { rememberedLookups, resolveEditRequest, type SourceLookups } from './source-resolution';

/** Rows per INSERT: large enough to amortise the round trip, small enough to keep memory flat. */
const INSERT_CHUNK = 2_000;
/** Rows read back and handed to BullMQ per addBulk once the batch is committed: small enough that building one addBulk does not hold the event loop for long. */
const ENQUEUE_CHUNK = 500;
/** Rows validated between two turns of the event loop. */
const YIELD_EVERY_ROWS = 100;
/** addBulk calls in flight at once: hides the round trips without flooding Redis. */
const ENQUEUE_CONCURRENCY = 3;

export interface IngestInput {
  rows: AsyncIterable<RawBatchRow> | Iterable<RawBatchRow>;
  name: string | null;
  defaults: Record<string, unknown>;
  onInvalid: 'reject' | 'skip';
  ownerKey: string | null;
  /** Already checked (checkCallbackUrl): called once every job of the batch has ended. */
  callbackUrl?: string | null;
  /** The batch's budget in credits. */
  maxCredits?: number | null;
  /** The request part the rows came from, named in errors: `file` (CSV) or `items` (JSON). */
  field: 'file' | 'items';
}

export interface IngestOutcome {
  id: string;
  name: string | null;
  total: number;
  accepted: number;
  rejected: number;
  errors: RowIssue[];
}

/**
 * Writes a batch as one unit. Rows are validated as they stream in and inserted in chunks
 * inside one transaction; the batch record is written last, with its counts, and only the
 * commit makes any of it visible. A crash before the commit leaves nothing; a crash after it
 * leaves queued rows that the worker's reconciler puts in BullMQ. Enqueueing happens after
 * the commit (a worker must find the row), reading the rows back a page at a time so even a
 * 100,000-row batch is never held in memory.
 */
export function createBatchIngest({ config, database, queue, logger }: ApiDeps, images?: ImageService) {
  /** Reads the next page while BullMQ takes the current one, with a few addBulk calls in flight. */
  async function enqueueBatch(batchId: string): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let after = 0;
    let next = batchJobsToEnqueue(database.db, batchId, after, ENQUEUE_CHUNK);
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      after = page[page.length - 1]!.batchRow ?? after;
      next = batchJobsToEnqueue(database.db, batchId, after, ENQUEUE_CHUNK);
      const adding: Promise<void> = enqueueGenerateBulk(queue, page).finally(() => inFlight.delete(adding));
      adding.catch(() => undefined);
      inFlight.add(adding);
      if (inFlight.size >= ENQUEUE_CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  /**
   * An upscale or extend row checked as `POST /v1/jobs` checks one (`resolveEditRequest`): its
   * source found and its account able to run it, or the row is rejected naming the column.
   */
  async function withResolvedSource(v: ValidatedRow, raw: RawBatchRow, ownerKey: string | null, lookups: SourceLookups): Promise<ValidatedRow> {
    if (!v.ok || (v.kind !== 'upscale' && v.kind !== 'extend')) return v;
    try {
      const request = await resolveEditRequest(database.db, v.kind, v.request as UpscaleRequest | ExtendRequest, { owner: ownerKey ?? undefined, lookups });
      return { ...v, request };
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const field = err.field ?? '';
      const message = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
      return { ok: false, row: v.row, issues: [{ row: v.row, column: raw.columnOf ? raw.columnOf(field) : field, message }] };
    }
  }

  return async function ingest(input: IngestInput): Promise<IngestOutcome> {
    const now = new Date();
    const batchId = newId('bat', now.getTime());
    const scope = {
      batchId,
      ownerKey: input.ownerKey,
      createdAt: now,
      deadlineAt: new Date(now.getTime() + config.worker.deadlineMs),
      budgeted: input.maxCredits !== undefined && input.maxCredits !== null,
    };
    const { maxRows } = config.batches;
    const errors: RowIssue[] = [];
    let total = 0;
    let accepted = 0;
    let rejected = 0;
    let chunk: BatchJobInsert[] = [];
    const imageInputs = imageInputResolver(images, input.ownerKey ?? '');
    const lookups = rememberedLookups(database.db);

    const client = await database.pool.connect();
    let open = false;
    try {
      await client.query('begin');
      open = true;
      // One insert runs while the next chunk is parsed and validated.
      let inFlight: Promise<void> = Promise.resolve();
      const flush = async () => {
        await inFlight;
        const rows = chunk;
        chunk = [];
        inFlight = insertBatchJobRows(client, scope, rows);
        inFlight.catch(() => undefined);
      };

      for await (const raw of input.rows) {
        total++;
        // Validation is CPU work: give other requests (and /healthz) a turn now and then,
        // also when no insert is awaited (a batch being rejected writes nothing).
        if (total % YIELD_EVERY_ROWS === 0) await yieldToEventLoop();
        if (total > maxRows) throw new PayloadTooLargeError(`${input.field}: has more than the limit of ${maxRows} rows`, input.field);
        const v = await withResolvedSource(validateRow(raw, input.defaults), raw, input.ownerKey, lookups);
        if (!v.ok) {
          rejected++;
          for (const issue of v.issues) if (errors.length < MAX_LISTED_ROW_ERRORS) errors.push(issue);
          continue;
        }
        const placed = await imageInputs(v.kind, v.request, v.row);
        if (!placed.ok) {
          rejected++;
          for (const issue of placed.issues) if (errors.length < MAX_LISTED_ROW_ERRORS) errors.push(issue);
          continue;
        }
        v.request = placed.request;
        accepted++;
        // Rejecting: keep reading to report every bad row, but stop writing rows that will be rolled back.
        if (input.onInvalid === 'reject' && rejected > 0) continue;
        chunk.push({
          id: newId('job', now.getTime()),
          kind: v.kind,
          request: v.request,
          priority: v.priority ?? BATCH_PRIORITY,
          metadata: v.metadata,
          batchRow: v.row,
          ref: v.ref,
          callbackSecret: newSecret(),
        });
        if (chunk.length >= INSERT_CHUNK) await flush();
      }
      await flush();
      await inFlight;

      if (total === 0) {
        throw new ValidationError(input.field === 'file' ? 'file: has a header but no rows' : 'items: must hold at least one item', input.field);
      }
      if (rejected > 0 && (input.onInvalid === 'reject' || accepted === 0)) {
        const what = input.onInvalid === 'reject' ? 'nothing was queued' : 'no valid row is left to queue';
        throw new InvalidRowsError(`${input.field}: ${rejected} of ${total} rows are invalid; ${what}`, input.field, errors, rejected);
      }
      await insertBatchRecord(client, {
        id: batchId,
        name: input.name,
        ownerKey: input.ownerKey,
        callbackUrl: input.callbackUrl ?? null,
        maxCredits: input.maxCredits ?? null,
        status: 'active',
        total,
        accepted,
        rejected,
        defaults: Object.keys(input.defaults).length ? input.defaults : null,
        errors: errors.length ? errors : null,
        createdAt: now,
      });
      await client.query('commit');
      open = false;
    } catch (err) {
      if (open) await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }

    try {
      await enqueueBatch(batchId);
    } catch (err) {
      logger.warn({ err, batchId }, 'enqueueing a batch failed; its rows stay queued in Postgres and the reconciler will queue them');
    }
    return { id: batchId, name: input.name, total, accepted, rejected, errors };
  };
}

export type BatchIngest = ReturnType<typeof createBatchIngest>;

/**
 * A batch's image columns resolved as a job's are (an `img_` id checked to be the owner's, a
 * URL fetched and kept), each distinct value once per batch however many rows repeat it; a
 * value that cannot be used is an issue of every row that gives it, in its column.
 */
function imageInputResolver(images: ImageService | undefined, owner: string) {
  const seen = new Map<string, string | FlowqError>();
  return async <T extends object>(kind: string, request: T, row: number): Promise<{ ok: true; request: T } | { ok: false; issues: RowIssue[] }> => {
    if (!images) return { ok: true, request };
    const out = { ...request } as Record<string, unknown>;
    const issues: RowIssue[] = [];
    for (const field of imageFieldsOf(kind)) {
      const value = out[field];
      if (typeof value !== 'string' || classifyImageInput(value).kind === 'media') continue;
      let resolved = seen.get(value);
      if (resolved === undefined) {
        try {
          resolved = (await images.resolveFields({ [field]: value }, [field], owner))[field] as string;
        } catch (err) {
          if (!(err instanceof FlowqError) || err.status >= 500) throw err;
          resolved = err;
        }
        seen.set(value, resolved);
      }
      if (typeof resolved === 'string') out[field] = resolved;
      else issues.push({ row, column: field, message: resolved.message.replace(/^[A-Za-z_0-9]+: /, '') });
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, request: out as T };
  };
}
