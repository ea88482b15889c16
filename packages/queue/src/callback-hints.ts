import type { Redis } from 'ioredis';

/**
 * A callback can arrive while the worker is still between "useapi accepted" and "wait for
 * the result" (or even before the submit's answer). The webhook leaves a short-lived hint;
 * the worker reads it before it goes to sleep, so such a job is not left waiting a full poll.
 */
export function callbackHintKey(prefix: string, jobId: string): string {
  return `${prefix}:callback-hint:${jobId}`;
}

export async function leaveCallbackHint(redis: Redis, prefix: string, jobId: string, status: string): Promise<void> {
  await redis.set(callbackHintKey(prefix, jobId), status, 'EX', 3600);
}

/** Read the webhook's hint and delete it, so one callback wakes a job once, however forged or repeated. */
export async function readAndClearCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<string | null> {
  return redis.getdel(callbackHintKey(prefix, jobId));
}

export async function hasCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<boolean> {
  return (await redis.exists(callbackHintKey(prefix, jobId))) === 1;
}
