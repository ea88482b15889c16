/**
 * Whether a job may be submitted under its `maxCredits` and its batch's. A job reserves what it
 * costs on the account chosen for it before its POST; the reservation stays while it runs and
 * after it succeeds, and goes back to the batch when it fails or is cancelled (a failed
 * generation is not charged). A job already holding a reservation (a retry) reserves only what
 * a dearer account adds.
 */
export interface BudgetQuestion {
  /** What the job costs on the chosen account (its tier). */
  cost: number;
  /** What the job reserved on an earlier submission (0 if none). */
  reserved: number;
  /** The job's own budget, null when it has none. */
  jobMax: number | null;
  /** The batch's budget and what its jobs hold already; null when the job is in no batch with a budget. */
  batch: { max: number; committed: number } | null;
}

export type BudgetAnswer = { ok: true; reserve: number } | { ok: false; over: 'job' | 'batch'; message: string };

export function checkBudget(q: BudgetQuestion): BudgetAnswer {
  if (q.jobMax !== null && q.cost > q.jobMax) {
    return { ok: false, over: 'job', message: `costs ${q.cost} credits on the chosen account, more than the job's maxCredits ${q.jobMax}` };
  }
  const reserve = Math.max(0, q.cost - q.reserved);
  if (q.batch && q.batch.committed + reserve > q.batch.max) {
    const left = Math.max(0, q.batch.max - q.batch.committed);
    return { ok: false, over: 'batch', message: `needs ${reserve} credits, and only ${left} of the batch's maxCredits ${q.batch.max} are left` };
  }
  return { ok: true, reserve };
}
