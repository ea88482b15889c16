import type { Redis } from 'ioredis';

/**
 * A callback can arrive while the worker is still between "useapi accepted" and "wait for
 * the result" (or even before the submit's answer). The webhook leaves a short-lived hint;
 * the worker reads it before it goes to sleep, so such a job is not left waiting a full poll.
 * The hint also says whether the webhook freed the job's account slot for that upstream job,
 * so the worker does not release it a second time.
 */
export function callbackHintKey(prefix: string, jobId: string): string {
  return `${prefix}:callback-hint:${jobId}`;
}

export interface CallbackHint {
  status: string;
  /** The upstream job the callback was about (null: it named none). */
  upstreamJobId: string | null;
  /** The webhook freed the job's account slot (and handed it on) for that upstream job. */
  slotFreed: boolean;
  /**
   * The job's row as the webhook read it, as text (`jobSnapshotOf` in @flowq/db), when it was
   * running that very upstream job: the woken step may take it instead of reading the row again
   * (`hintedRow` in the worker says when).
   */
  row?: string;
}

/** `<freed|kept> <status> <upstream jobid>[ <row>]`; a hint of the former format (the status alone) reads as not freed. */
export function formatCallbackHint(h: CallbackHint): string {
  return `${h.slotFreed ? 'freed' : 'kept'} ${h.status} ${h.upstreamJobId ?? ''}${h.row ? ` ${h.row}` : ''}`;
}

export function parseCallbackHint(raw: string): CallbackHint {
  const [mark, status, upstreamJobId] = raw.split(' ', 3);
  if ((mark !== 'freed' && mark !== 'kept') || status === undefined) return { status: raw, upstreamJobId: null, slotFreed: false };
  const hint: CallbackHint = { status, upstreamJobId: upstreamJobId || null, slotFreed: mark === 'freed' };
  // The row is the rest, after the third space (it holds spaces of its own).
  const head = mark.length + status.length + (upstreamJobId ?? '').length + 3;
  return raw.length > head ? { ...hint, row: raw.slice(head) } : hint;
}

/**
 * Whether the job's slot for `upstreamJobId` is already free (the webhook released it): only a
 * hint about that very upstream job counts, never one left over from an earlier submission.
 */
export function slotFreedByCallback(hint: CallbackHint | null, upstreamJobId: string): boolean {
  return hint !== null && hint.slotFreed && hint.upstreamJobId === upstreamJobId;
}

export async function leaveCallbackHint(redis: Redis, prefix: string, jobId: string, hint: CallbackHint): Promise<void> {
  await redis.set(callbackHintKey(prefix, jobId), formatCallbackHint(hint), 'EX', 3600);
}

/** Read the webhook's hint and delete it, so one callback wakes a job once, however forged or repeated. */
export async function readAndClearCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<CallbackHint | null> {
  const raw = await redis.getdel(callbackHintKey(prefix, jobId));
  return raw === null ? null : parseCallbackHint(raw);
}

export async function hasCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<boolean> {
  return (await redis.exists(callbackHintKey(prefix, jobId))) === 1;
}
