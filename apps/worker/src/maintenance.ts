import type { DatabaseGuard } from './database-guard';
import type { WorkerDeps } from './deps';
import { reconcileQueue, redisSentinelKey, releaseLeakedLeases, restoreLeases } from './reconciler';
import { archivedBefore, countActiveJobsOn, listAccounts, markMediaExpired, mostUrgentQueued, removeDrainedAccounts } from '@flowq/db';
import { wakeWaitingJobs } from '@flowq/queue';

const MEDIA_PAGE = 200;

/**
 * Periodic upkeep any worker may do (each step is safe to run in several processes at once):
 * repair the queue from Postgres, end cool-offs whose time has come, and, while useapi
 * refuses the token, ask it again, and delete archived media past MEDIA_RETENTION_DAYS.
 * Whatever reopens capacity wakes every waiting job.
 */
export function createMaintenance(deps: WorkerDeps, databaseGuard?: DatabaseGuard) {
  const { config, database, redis, queue, archiveQueue, logger, client, effects, gate } = deps;
  const wakeAll = () => wakeWaitingJobs(redis, config.redis.prefix);

  /** One reconciler pass, if no other process holds this period's lock. */
  const reconcilePass = () =>
    reconcileQueue({ db: database.db, redis, queue, archiveQueue, prefix: config.redis.prefix, logger, everyMs: config.worker.maintenanceIntervalMs });

  async function reconcile() {
    const run = await reconcilePass();
    // Under the same lock: one process per period looks for leaked slots.
    if (run.ran) await freeLeakedSlots();
  }

  async function freeLeakedSlots() {
    const emails = (await listAccounts(database.db)).map((a) => a.email);
    const freed = await releaseLeakedLeases({ db: database.db, slots: deps.slots, imageSlots: deps.imageSlots, emails, logger });
    if (freed > 0) await wakeAll();
  }

  /**
   * Every second, one EXISTS: a missing sentinel means Redis lost flowq's keys (FLUSHALL, a
   * failover to an empty replica). Slots first, so nothing is scheduled over a limit, then the queue.
   */
  async function repairAfterWipe() {
    const sentinel = redisSentinelKey(config.redis.prefix);
    if (await redis.exists(sentinel)) return;
    await restoreLeases({ db: database.db, slots: deps.slots, imageSlots: deps.imageSlots, leaseMs: config.accounts.leaseMs, logger });
    // Right after a wipe the lock is gone with everything else, so this pass runs now.
    const run = await reconcilePass();
    if (run.ran) await redis.set(sentinel, String(Date.now()));
  }

  /** Free slots while jobs wait (a lost wake-up): one waiting job woken per free slot, each lane. */
  async function refillIdleSlots(now = new Date()) {
    const woken =
      (await deps.leases.refillIdleSlots(now, (n) => mostUrgentQueued(database.db, 'video', n))) +
      (await deps.imageLeases.refillIdleSlots(now, (n) => mostUrgentQueued(database.db, 'image', n)));
    if (woken > 0) logger.debug({ woken }, 'woke waiting jobs for idle slots');
    return woken;
  }

  async function liftCoolOffs(now = new Date()) {
    const lifted = await effects.liftExpiredCoolOffs(now);
    if (lifted.length) await wakeAll();
  }

  /** Drained accounts go once nothing runs on them any more. */
  async function removeDrained() {
    const removed = await removeDrainedAccounts(
      database.db,
      async (email) => (await deps.slots.running(email)) === 0 && (await countActiveJobsOn(database.db, email)) === 0,
    );
    if (removed.length) logger.info({ accounts: removed }, 'drained accounts removed');
  }

  /**
   * Retention: archived files older than MEDIA_RETENTION_DAYS leave the store, then their rows
   * and their jobs' results say `expired` (so a result never points at a file that is gone; the
   * media route answers 410 media_expired). Two workers doing it at once delete a file twice: harmless.
   */
  async function expireMedia(now = new Date()): Promise<number> {
    const days = config.media.retentionDays;
    if (days <= 0) return 0;
    const before = new Date(now.getTime() - days * 86_400_000);
    let expired = 0;
    for (;;) {
      const rows = await archivedBefore(database.db, before, MEDIA_PAGE);
      for (const r of rows) await deps.mediaStore.delete(r.storageKey);
      await markMediaExpired(
        database.db,
        rows.map((r) => r.id),
      );
      expired += rows.length;
      if (rows.length < MEDIA_PAGE) break;
    }
    if (expired > 0) logger.info({ files: expired, retentionDays: days }, 'media past retention deleted');
    return expired;
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
    void fn().catch((err) => {
      // A Postgres outage is the guard's to report (once), not every task's every second.
      if (databaseGuard?.noteError(err)) return;
      logger.warn({ err, task: name }, 'maintenance task failed; it runs again');
    });

  return {
    reconcile,
    repairAfterWipe,
    liftCoolOffs,
    probeToken,
    removeDrained,
    expireMedia,
    refillIdleSlots,
    start(): () => void {
      const timers = [
        setInterval(guard('reconcile', reconcile), config.worker.maintenanceIntervalMs),
        setInterval(guard('wipe-check', repairAfterWipe), Math.min(1_000, config.worker.maintenanceIntervalMs)),
        setInterval(guard('cool-offs', liftCoolOffs), Math.min(1_000, config.worker.maintenanceIntervalMs)),
        setInterval(guard('token-probe', probeToken), config.worker.tokenProbeIntervalMs),
        setInterval(guard('drained-accounts', removeDrained), config.worker.maintenanceIntervalMs),
        setInterval(guard('media-retention', expireMedia), config.worker.maintenanceIntervalMs),
        setInterval(guard('idle-slots', refillIdleSlots), config.worker.maintenanceIntervalMs),
      ];
      for (const t of timers) t.unref();
      guard('wipe-check', repairAfterWipe)();
      return () => timers.forEach(clearInterval);
    },
  };
}
