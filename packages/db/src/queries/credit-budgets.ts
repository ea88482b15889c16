import { inTransaction } from '../transaction';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type BudgetAnswer, checkBudget, type JobStatus } from '@flowq/core';
import type { Db } from '../client';
import { batches, jobs, type JobRow } from '../schema';

/**
 * Takes a `queued` job's reservation before its POST, or moves it to `over_budget`. One
 * transaction with the batch row locked, so two workers submitting jobs of one batch at once
 * cannot both spend its last credits. What the budget allows is `checkBudget`'s to say.
 */
export async function reserveCredits(db: Db, jobId: string, cost: number): Promise<BudgetAnswer> {
  return inTransaction(db, async (tx) => {
    const [job] = await tx
      .select({ maxCredits: jobs.maxCredits, reserved: jobs.reservedCredits, batchId: jobs.batchId })
      .from(jobs)
      .where(and(eq(jobs.id, jobId), eq(jobs.status, 'queued')))
      .for('update');
    // Not queued any more (cancelled meanwhile): nothing to reserve; the submission's own compare-and-set says no.
    if (!job) return { ok: true, reserve: 0 };
    const [batch] = job.batchId
      ? await tx.select({ max: batches.maxCredits, committed: batches.committedCredits }).from(batches).where(eq(batches.id, job.batchId)).for('update')
      : [];
    const answer = checkBudget({
      cost,
      reserved: job.reserved ?? 0,
      jobMax: job.maxCredits,
      batch: batch && batch.max !== null ? { max: batch.max, committed: batch.committed } : null,
    });
    if (!answer.ok) {
      await tx.update(jobs).set({ status: 'over_budget', updatedAt: new Date() }).where(eq(jobs.id, jobId));
      return answer;
    }
    if (answer.reserve > 0 && job.batchId) {
      await tx
        .update(batches)
        .set({ committedCredits: sql`${batches.committedCredits} + ${answer.reserve}` })
        .where(eq(batches.id, job.batchId));
    }
    if (answer.reserve > 0)
      await tx
        .update(jobs)
        .set({ reservedCredits: (job.reserved ?? 0) + answer.reserve })
        .where(eq(jobs.id, jobId));
    return answer;
  });
}

/** A job that failed or was cancelled gives its reservation back to its batch; call it inside the ending transaction. */
export async function releaseCredits(tx: Db, row: JobRow, reserved: number): Promise<void> {
  if (reserved <= 0) return;
  await tx.update(jobs).set({ reservedCredits: null }).where(eq(jobs.id, row.id));
  if (row.batchId) {
    await tx
      .update(batches)
      .set({ committedCredits: sql`greatest(0, ${batches.committedCredits} - ${reserved})` })
      .where(eq(batches.id, row.batchId));
  }
}

/** Jobs given back to the queue when a budget is raised (or removed), with a fresh deadline: the user asked for them again. */
export type ResumedJob = { id: string; priority: number; batchRow: number | null };

/** Sets (or with null removes) a job's own budget; an `over_budget` job goes back to `queued`. */
export async function setJobBudget(db: Db, id: string, maxCredits: number | null, deadlineAt: Date): Promise<{ row: JobRow; resumed: boolean } | undefined> {
  return inTransaction(db, async (tx) => {
    const [before] = await tx.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, id)).for('update');
    if (!before) return undefined;
    const resume = before.status === 'over_budget';
    const [row] = await tx
      .update(jobs)
      .set({
        maxCredits,
        budgeted: sql`${maxCredits !== null} or ${jobs.budgeted}`,
        updatedAt: new Date(),
        ...(resume ? { status: 'queued' as JobStatus, deadlineAt } : {}),
      })
      .where(eq(jobs.id, id))
      .returning();
    return { row: row!, resumed: resume };
  });
}

/**
 * Sets (or removes) a batch's budget. Setting one on a batch that had none counts what its jobs
 * already hold: those that succeeded at their price, those in flight at what they reserved or,
 * when they reserved nothing (no budget when they were submitted), at `inFlightCost` of their
 * request (the dearest tier). Its `over_budget` jobs go back to `queued` to be checked again.
 */
export async function setBatchBudget(
  db: Db,
  batchId: string,
  maxCredits: number | null,
  deadlineAt: Date,
  inFlightCost: (request: JobRow['request']) => number,
): Promise<{ resumed: ResumedJob[] } | undefined> {
  return inTransaction(db, async (tx) => {
    const [batch] = await tx.select({ max: batches.maxCredits }).from(batches).where(eq(batches.id, batchId)).for('update');
    if (!batch) return undefined;
    let committed: number | undefined;
    if (batch.max === null && maxCredits !== null) {
      const [spent] = await tx
        .select({ credits: sql<number>`coalesce(sum(coalesce(${jobs.credits}, ${jobs.reservedCredits}, 0)), 0)::int` })
        .from(jobs)
        .where(and(eq(jobs.batchId, batchId), eq(jobs.status, 'succeeded')));
      const inFlight = await tx
        .select({ request: jobs.request, reserved: jobs.reservedCredits })
        .from(jobs)
        .where(and(eq(jobs.batchId, batchId), inArray(jobs.status, ['submitting', 'running', 'archiving'])));
      committed = (spent?.credits ?? 0) + inFlight.reduce((sum, j) => sum + (j.reserved ?? inFlightCost(j.request)), 0);
    }
    await tx
      .update(batches)
      .set({ maxCredits, ...(committed !== undefined ? { committedCredits: committed } : {}), updatedAt: new Date() })
      .where(eq(batches.id, batchId));
    if (maxCredits !== null) {
      await tx
        .update(jobs)
        .set({ budgeted: true })
        .where(and(eq(jobs.batchId, batchId), inArray(jobs.status, ['queued', 'over_budget'])));
    }
    const resumed = await tx
      .update(jobs)
      .set({ status: 'queued', deadlineAt, updatedAt: new Date() })
      .where(and(eq(jobs.batchId, batchId), eq(jobs.status, 'over_budget')))
      .returning({ id: jobs.id, priority: jobs.priority, batchRow: jobs.batchRow });
    return { resumed };
  });
}
