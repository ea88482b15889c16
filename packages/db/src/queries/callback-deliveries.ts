import { inTransaction } from '../transaction';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { callbackAttempts, callbackDeliveries, type CallbackAttemptRow, type CallbackDeliveryRow } from '../schema';

/**
 * Writes `batch.completed` to the outbox for every batch with a callback URL whose jobs have
 * all ended. One statement: the batch is marked and its delivery inserted together, and a
 * second sender running the same statement finds the batch marked and writes nothing. It
 * is a sweep rather than part of each job's end because two last jobs ending at once in
 * two transactions would each still see the other running.
 */
export async function queueFinishedBatchCallbacks(db: Db, now: Date): Promise<number> {
  const result = await db.execute(sql`
    with done as (
      update batches b set callback_queued_at = ${now}
      where b.callback_url is not null
        and b.callback_queued_at is null
        and b.status in ('active', 'finished', 'cancelled')
        and not exists (
          select 1 from jobs j where j.batch_id = b.id and j.status in ('queued', 'over_budget', 'submitting', 'running', 'archiving')
        )
      returning b.id, b.owner_key, b.callback_url
    )
    insert into callback_deliveries (id, event, batch_id, owner_key, url, next_attempt_at, created_at)
    select 'dlv_' || md5(done.id || ${now.toISOString()}), 'batch.completed', done.id, done.owner_key, done.callback_url, ${now}, ${now}
    from done
  `);
  return result.rowCount ?? 0;
}

/** A retried batch ends again later: it gets a new `batch.completed` then. */
export async function reopenBatchCallback(db: Db, batchId: string): Promise<void> {
  await db.execute(sql`update batches set callback_queued_at = null where id = ${batchId}`);
}

/**
 * Takes up to `limit` due deliveries for this sender: locked rows are skipped (another
 * sender has them) and the claim moves `next_attempt_at` past `leaseMs`, so once this
 * commits no other sender takes them either while this one is sending. A sender that dies
 * mid-send leaves the row to be taken again after the lease: at least once, never lost.
 */
export async function claimDueCallbacks(db: Db, opts: { now: Date; limit: number; leaseMs: number }): Promise<CallbackDeliveryRow[]> {
  const due = db
    .select({ id: callbackDeliveries.id })
    .from(callbackDeliveries)
    .where(and(eq(callbackDeliveries.status, 'pending'), sql`${callbackDeliveries.nextAttemptAt} <= ${opts.now}`))
    .orderBy(asc(callbackDeliveries.nextAttemptAt))
    .limit(opts.limit)
    .for('update', { skipLocked: true });
  return db
    .update(callbackDeliveries)
    .set({ nextAttemptAt: new Date(opts.now.getTime() + opts.leaseMs), attempts: sql`${callbackDeliveries.attempts} + 1` })
    .where(inArray(callbackDeliveries.id, due))
    .returning();
}

/** Fixes the body of a delivery at its first attempt; later attempts get the body already fixed. */
export async function fixCallbackBody(db: Db, id: string, body: string): Promise<string> {
  await db
    .update(callbackDeliveries)
    .set({ body })
    .where(and(eq(callbackDeliveries.id, id), isNull(callbackDeliveries.body)));
  const [row] = await db.select({ body: callbackDeliveries.body }).from(callbackDeliveries).where(eq(callbackDeliveries.id, id));
  return row?.body ?? body;
}

export interface CallbackAttemptOutcome {
  deliveryId: string;
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** delivered; retry at a time; or failed for good (given up, or no way to sign). */
  next: { kind: 'delivered' } | { kind: 'retry'; at: Date } | { kind: 'failed' };
}

export async function recordCallbackAttempt(db: Db, o: CallbackAttemptOutcome): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.insert(callbackAttempts).values({
      deliveryId: o.deliveryId,
      attempt: o.attempt,
      at: o.at,
      statusCode: o.statusCode,
      error: o.error,
      durationMs: o.durationMs,
    });
    await tx
      .update(callbackDeliveries)
      .set({
        status: o.next.kind === 'retry' ? 'pending' : o.next.kind,
        ...(o.next.kind === 'retry' ? { nextAttemptAt: o.next.at } : {}),
        ...(o.next.kind === 'delivered' ? { deliveredAt: o.at } : {}),
        lastStatusCode: o.statusCode,
        lastError: o.error,
      })
      .where(eq(callbackDeliveries.id, o.deliveryId));
  });
}

export type CallbackDeliveryWithAttempts = CallbackDeliveryRow & { attemptLog: CallbackAttemptRow[] };

/** Every callback of a job (or a batch), oldest first, each with its attempts. */
export async function listCallbackDeliveries(db: Db, of: { jobId: string } | { batchId: string }): Promise<CallbackDeliveryWithAttempts[]> {
  const rows = await db
    .select()
    .from(callbackDeliveries)
    .where('jobId' in of ? eq(callbackDeliveries.jobId, of.jobId) : eq(callbackDeliveries.batchId, of.batchId))
    .orderBy(asc(callbackDeliveries.createdAt), asc(callbackDeliveries.id));
  if (rows.length === 0) return [];
  const attempts = await db
    .select()
    .from(callbackAttempts)
    .where(
      inArray(
        callbackAttempts.deliveryId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(callbackAttempts.attempt), asc(callbackAttempts.id));
  return rows.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.deliveryId === r.id) }));
}
