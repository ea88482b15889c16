import type { ReachabilityLog } from '@flowq/config';
import { GENERATE_QUEUE, isRedisConnectionError, type GeneratePayload } from '@flowq/queue';
import { Worker } from 'bullmq';
import type { WorkerDeps } from './deps';
import { meteredProcessor } from './metered-processor';
import { idempotentWorkerOptions } from './worker-options';
import { createGenerateProcessor, type ProcessorHooks } from './steps/step-runner';

export function createGenerateWorker(deps: WorkerDeps, hooks: ProcessorHooks = {}, redisLog?: ReachabilityLog): Worker<GeneratePayload, void, 'generate'> {
  const worker = new Worker<GeneratePayload, void, 'generate'>(
    GENERATE_QUEUE,
    meteredProcessor(createGenerateProcessor(deps, hooks), deps.database.db, deps.metrics),
    // Each step is a few short HTTP and SQL calls; a 3-minute generation waits as a delayed job.
    idempotentWorkerOptions(deps.config, deps.redis, deps.config.worker.concurrency),
  );
  worker.on('failed', (job, err) => {
    if (err.name !== 'UnrecoverableError') deps.logger.warn({ jobId: job?.id, err }, 'generate step failed; BullMQ retries it');
  });
  // BullMQ reports each failed reconnect of its blocking connection here: one message per outage, not a stack per retry.
  worker.on('error', (err) => (redisLog && isRedisConnectionError(err) ? redisLog.down(err) : deps.logger.error({ err }, 'generate worker error')));
  return worker;
}
