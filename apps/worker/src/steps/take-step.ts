import { isTerminal } from '@flowq/core';
import { findJob } from '@flowq/db';
import { readAndClearCallbackHint, type CallbackHint } from '@flowq/queue';
import { hintedRow } from '../hinted-row';
import type { Step } from '../next-step';
import { followStep, type FollowedJob } from './follow-step';
import { editStep } from './edit-step';
import { imageStep } from './image-step';
import { recoverStep } from './recover-step';
import { slotsOf, type StepContext } from './step-context';
import { submitStep } from './submit-step';

/**
 * One step of a job, chosen from its row alone (Postgres says where the job is, so any worker
 * may take any step after any crash): `queued` submits, `submitting` recovers an interrupted
 * submission, `running` follows the upstream job; an `archiving` row is the archive queue's; a finished row only gives its slot back.
 * An image job's submission is its own step (a synchronous call); recovery and following are shared.
 */
export async function takeStep(ctx: StepContext, jobId: string, firstLook: boolean, awaits?: string): Promise<Step> {
  // Woken from a sleep awaiting an upstream job's callback: its hint is read first (the follow
  // step reads it anyway), and the row it carries spares the read when `hintedRow` allows.
  const hint: CallbackHint | null | undefined = awaits ? await readAndClearCallbackHint(ctx.deps.redis, ctx.deps.config.redis.prefix, jobId) : undefined;
  const row = hintedRow(hint ?? null, awaits) ?? (await findJob(ctx.db, jobId));
  if (!row) return { kind: 'done' };
  if (isTerminal(row.status)) {
    if (row.status === 'cancelled' && row.account) await slotsOf(ctx, row).release(row.account, row.id);
    return { kind: 'done' };
  }
  // Generated and paid: the archive queue has it now (the reconciler sees to that).
  if (row.status === 'archiving') return { kind: 'done' };
  if (row.status === 'running' && row.upstreamJobId && row.account) return followStep(ctx, row as FollowedJob, hint);
  if (row.status === 'submitting') return recoverStep(ctx, row);
  if (row.kind === 'image') return imageStep(ctx, row, firstLook);
  if (row.kind === 'upscale' || row.kind === 'extend') return editStep(ctx, row);
  return submitStep(ctx, row, firstLook);
}
