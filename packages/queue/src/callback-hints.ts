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

export async function readCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<string | null> {
  return redis.get(callbackHintKey(prefix, jobId));
}
