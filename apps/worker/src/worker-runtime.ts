import { unreachableMessage, type ReachabilityLog } from '@flowq/config';
import { wakeWaitingJobs, type ArchivePayload, type GeneratePayload } from '@flowq/queue';
import type { Worker } from 'bullmq';
import { createArchiveWorker } from './archive-worker';
import { createDatabaseGuard, type DatabaseGuard } from './database-guard';
import type { WorkerDeps } from './deps';
import { createGenerateWorker } from './generate-worker';
import { createMaintenance } from './maintenance';

export interface WorkerRuntime {
  worker: Worker<GeneratePayload, void, 'generate'>;
  /** Copies completed jobs' files into the media store (its own queue and concurrency). */
  archiveWorker: Worker<ArchivePayload, void, 'archive'>;
  maintenance: ReturnType<typeof createMaintenance>;
  /** Pauses the worker while Postgres is unreachable. */
  databaseGuard: DatabaseGuard;
  /** Stops taking jobs, waits for running steps, stops the periodic tasks. Connections stay the caller's. */
  close(): Promise<void>;
}

/** The worker process's moving parts: the generate worker and the periodic upkeep. */
export function startWorkerRuntime(deps: WorkerDeps, redisLog?: ReachabilityLog): WorkerRuntime {
  let worker: Worker<GeneratePayload, void, 'generate'> | undefined;
  let archiveWorker: Worker<ArchivePayload, void, 'archive'> | undefined;
  const databaseGuard = createDatabaseGuard({
    ping: () => deps.database.pool.query('select 1'),
    // Not waiting for running steps: the step that noticed the outage is one of them.
    pause: async () => {
      await worker?.pause(true);
      await archiveWorker?.pause(true);
    },
    resume: async () => {
      await worker?.resume();
      archiveWorker?.resume();
      // Wake-ups that needed Postgres failed during the outage: parked jobs should not sit out their timers.
      await wakeWaitingJobs(deps.redis, deps.config.redis.prefix);
    },
    logger: deps.logger,
    unreachableMessage: unreachableMessage('PostgreSQL', deps.config.db.url),
  });
  worker = createGenerateWorker(deps, { databaseUnavailable: (err) => databaseGuard.noteError(err) }, redisLog);
  archiveWorker = createArchiveWorker(deps);
  const maintenance = createMaintenance(deps, databaseGuard);
  const stop = maintenance.start();
  return {
    worker,
    archiveWorker,
    maintenance,
    databaseGuard,
    async close() {
      stop();
      databaseGuard.stop();
      await Promise.all([worker!.close(), archiveWorker!.close()]);
    },
  };
}
