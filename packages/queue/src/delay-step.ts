import type { Job, MoveToDelayedOpts } from 'bullmq';
import { FOLLOW_UP_PRIORITY, isFirstLook, type GeneratePayload } from './catalog';

/** Job-hash fields written by the same script call that moves a job to delayed (BullMQ's `fieldsToUpdate`). */
export type DelayFields = Record<string, string | number>;

/**
 * What a sleeping step writes with its delay. A job that has been looked at once runs ahead of
 * fresh intake from then on (FOLLOW_UP_PRIORITY: a confirmed result or a freed slot must not wait
 * behind thousands of new jobs being triaged); written with the move instead of a
 * `changePriority` call of its own, the same hash field a promote and the delayed timer read.
 * The payload says which upstream job's callback the sleep awaits (`awaits`), and only that
 * sleep says so: any other clears it. Undefined: nothing to write.
 */
export function delayFields(priority: number | undefined, data: GeneratePayload, awaits?: string): DelayFields | undefined {
  const fields: DelayFields = {};
  if (isFirstLook(priority)) fields.priority = FOLLOW_UP_PRIORITY;
  if (data.awaits !== awaits) fields.data = JSON.stringify({ ...data, awaits });
  return Object.keys(fields).length ? fields : undefined;
}

/** The part of BullMQ's job the move needs: its backend's moveToDelayed takes `fieldsToUpdate`, `Job.moveToDelayed` does not. */
interface DelayingBackend {
  moveToDelayed(jobId: string, timestamp: number, delay: number, token?: string, opts?: MoveToDelayedOpts): Promise<unknown>;
}

/**
 * `job.moveToDelayed(timestamp, token)` that also writes `fields` on the job in the same script
 * call (one round trip where a priority change cost a second one). Without fields it is the plain move.
 */
export async function moveToDelayedWith(job: Job, timestamp: number, token: string | undefined, fields: DelayFields | undefined): Promise<void> {
  if (!fields) return job.moveToDelayed(timestamp, token);
  const backend = (job as unknown as { backend: DelayingBackend }).backend;
  const now = Date.now();
  const delay = Math.max(0, timestamp - now);
  await backend.moveToDelayed(job.id as string, now, delay, token, { skipAttempt: true, fieldsToUpdate: fields });
  job.delay = delay;
  if (typeof fields.priority === 'number') job.priority = fields.priority;
  if (typeof fields.data === 'string') job.data = JSON.parse(fields.data);
}
