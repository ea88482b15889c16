import type { Redis } from 'ioredis';

/**
 * Redis names the API and the workers share besides the queue itself: the service-wide
 * token gate (set while useapi refuses the token) and the channel that wakes waiting jobs.
 */
export function tokenGateKey(prefix: string): string {
  return `${prefix}:gate:token-invalid`;
}

export function wakeAllChannel(prefix: string): string {
  return `${prefix}:wake-all`;
}

/** Capacity came back (an account re-added, a cool-off lifted, the token works): wake every waiting job. */
export async function wakeWaitingJobs(redis: Redis, prefix: string): Promise<void> {
  await redis.publish(wakeAllChannel(prefix), '1');
}
