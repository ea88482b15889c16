import type { WorkerDeps } from './deps';
import { reconcileQueue } from './reconciler';
import { countActiveJobsOn, removeDrainedAccounts } from '@flowq/db';
import { wakeWaitingJobs } from '@flowq/queue';

/**
 * Periodic upkeep any worker may do (each step is safe to run in several processes at once):
 * repair the queue from Postgres, end cool-offs whose time has come, and, while useapi
 * refuses the token, ask it again. Whatever reopens capacity wakes every waiting job.
 */
export function createMaintenance(deps: WorkerDeps) {
  const { config, database, redis, queue, logger, client, effects, gate } = deps;
  const wakeAll = () => wakeWaitingJobs(redis, config.redis.prefix);

  async function reconcile() {
    await reconcileQueue({ db: database.db, redis, queue, prefix: config.redis.prefix, logger });
  }

  async function liftCoolOffs(now = new Date()) {
    const lifted = await effects.liftExpiredCoolOffs(now);
    if (lifted.length) await wakeAll();
  }

  /** Drained accounts go once nothing runs on them any more. */
  async function removeDrained() {
    const removed = await removeDrainedAccounts(database.db, async (email) => (await deps.slots.running(email)) === 0 && (await countActiveJobsOn(database.db, email)) === 0);
    if (removed.length) logger.info({ accounts: removed }, 'drained accounts removed');
  }

  async function probeToken() {
    if (!(await gate.isTokenRefused())) return;
    const answer = await client.listAccounts();
    if (answer.ok && (await gate.tokenAccepted())) {
      logger.warn('useapi accepts the token again: dispatch resumes');
      await wakeAll();
    }
  }

  const guard = (name: string, fn: () => Promise<unknown>) => () =>
    void fn().catch((err) => logger.warn({ err, task: name }, 'maintenance task failed; it runs again'));

  return {
    reconcile,
    liftCoolOffs,
    probeToken,
    removeDrained,
    start(): () => void {
      const timers = [
        setInterval(guard('reconcile', reconcile), config.worker.maintenanceIntervalMs),
        setInterval(guard('cool-offs', liftCoolOffs), Math.min(1_000, config.worker.maintenanceIntervalMs)),
        setInterval(guard('token-probe', probeToken), config.worker.tokenProbeIntervalMs),
        setInterval(guard('drained-accounts', removeDrained), config.worker.maintenanceIntervalMs),
      ];
      for (const t of timers) t.unref();
      guard('reconcile', reconcile)();
      return () => timers.forEach(clearInterval);
    },
  };
}
