import { isTerminal } from '@flowq/core';
import { findJob } from '@flowq/db';
import type { Step } from '../next-step';
import { followStep, type FollowedJob } from './follow-step';
import { recoverStep } from './recover-step';
import type { StepContext } from './step-context';
import { submitStep } from './submit-step';

/**
 * One step of a job, chosen from its row alone (Postgres says where the job is, so any worker
 * may take any step after any crash): `queued` submits, `submitting` recovers an interrupted
 * submission, `running` follows the upstream job; a finished row only gives its slot back.
 */
export async function takeStep(ctx: StepContext, jobId: string, firstLook: boolean): Promise<Step> {
  const row = await findJob(ctx.db, jobId);
  if (!row) return { kind: 'done' };
  if (isTerminal(row.status)) {
    if (row.status === 'cancelled' && row.account) await ctx.deps.leases.release(row.account, row.id);
    return { kind: 'done' };
  }
  if (row.status === 'running' && row.upstreamJobId && row.account) return followStep(ctx, row as FollowedJob);
  if (row.status === 'submitting') return recoverStep(ctx, row);
  return submitStep(ctx, row, firstLook);
}
