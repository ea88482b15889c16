import type { JobStatus } from '@flowq/core';

/**
 * Whether an account slot held by a job in `status` is leaked: the job ended its use of the
 * account (its release was lost, e.g. Redis unreachable at that moment), so the slot would stay
 * taken until the lease expires (ACCOUNT_LEASE_MS, 15 minutes by default). Only states a job never
 * leaves to take a slot again count; a queued or over-budget job may be taking one right now
 * (the slot comes before the row says `submitting`), and gets the same lease back when it does.
 * No row at all: not ours to judge (a lease id is a job id, but the row may be in another database).
 */
export function isLeakedLease(status: JobStatus | undefined): boolean {
  switch (status) {
    case 'archiving':
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return true;
    case 'queued':
    case 'over_budget':
    case 'submitting':
    case 'running':
    case undefined:
      return false;
  }
}
