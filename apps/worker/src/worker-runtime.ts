import type { GeneratePayload } from '@flowq/queue';
import type { Worker } from 'bullmq';
import type { WorkerDeps } from './deps';
import { createGenerateWorker } from './generate-worker';
import { createMaintenance } from './maintenance';

export interface WorkerRuntime {
  worker: Worker<GeneratePayload, void, 'generate'>;
  maintenance: ReturnType<typeof createMaintenance>;
  /** Stops taking jobs, waits for running steps, stops the periodic tasks. Connections stay the caller's. */
  close(): Promise<void>;
}

/** The worker process's moving parts: the generate worker and the periodic upkeep. */
export function startWorkerRuntime(deps: WorkerDeps): WorkerRuntime {
  const worker = createGenerateWorker(deps);
  const maintenance = createMaintenance(deps);
  const stop = maintenance.start();
  return {
    worker,
    maintenance,
    async close() {
      stop();
      await worker.close();
    },
  };
}
