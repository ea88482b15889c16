import type { JobRow } from '@flowq/db';

export type LeaseResult = { ok: true; email: string } | { ok: false; retryAt: number; reason: string };

/**
 * The worker's view of the account pool: take an account for a job (holding one of its
 * generation slots), keep it while the upstream job runs, give it back at the end.
 */
export interface AccountLeases {
  acquire(job: JobRow, now: Date): Promise<LeaseResult>;
  renew(email: string, jobId: string): Promise<void>;
  release(email: string, jobId: string): Promise<void>;
}
