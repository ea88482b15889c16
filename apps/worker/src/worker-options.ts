import type { WorkerConfig } from '@flowq/config';
import type { WorkerOptions } from 'bullmq';

/**
 * How a BullMQ worker of flowq's holds its jobs: a killed worker's job is taken up again within
 * about 1.5 locks, and as often as it takes, since every step and every copy is idempotent
 * against Postgres. Shared by the generate and archive workers.
 */
export function idempotentWorkerOptions(config: WorkerConfig, redis: WorkerOptions['connection'], concurrency: number): WorkerOptions {
  return {
    connection: redis,
    prefix: config.redis.prefix,
    concurrency,
    lockDuration: config.worker.lockMs,
    stalledInterval: Math.max(500, Math.floor(config.worker.lockMs / 2)),
    maxStalledCount: 100,
  };
}
