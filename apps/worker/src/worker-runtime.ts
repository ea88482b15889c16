import type { Worker } from 'bullmq';
import type { GeneratePayload } from '@flowq/queue';
import type { WorkerDeps } from './deps';
import { createGenerateWorker } from './generate-worker';
import { reconcileQueue } from './reconciler';

export interface WorkerRuntime {
  worker: Worker<GeneratePayload, void, 'generate'>;
  /** Stops taking jobs, waits for running steps, stops the reconciler. Connections stay the caller's. */
  close(): Promise<void>;
}

/** The worker process's moving parts: the generate worker and the periodic reconciler. */
export function startWorkerRuntime(deps: WorkerDeps, opts: { reconcileEveryMs?: number } = {}): WorkerRuntime {
  const worker = createGenerateWorker(deps);
  const reconcile = () =>
    reconcileQueue({ db: deps.database.db, redis: deps.redis, queue: deps.queue, prefix: deps.config.redis.prefix, logger: deps.logger }).catch(
      (err) => deps.logger.warn({ err }, 'reconcile failed; will try again'),
    );
  void reconcile();
  const timer = setInterval(reconcile, opts.reconcileEveryMs ?? 10_000);
  timer.unref();
  return {
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}
