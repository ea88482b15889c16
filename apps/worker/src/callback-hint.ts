import { callbackHintKey } from '@flowq/queue';
import type { Redis } from 'ioredis';

/** Read the webhook's hint and delete it, so one callback wakes a job once, however forged or repeated. */
export async function readAndClearCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<string | null> {
  return redis.getdel(callbackHintKey(prefix, jobId));
}

export async function hasCallbackHint(redis: Redis, prefix: string, jobId: string): Promise<boolean> {
  return (await redis.exists(callbackHintKey(prefix, jobId))) === 1;
}
