import type { Logger } from '@flowq/config';
import { wakeAllChannel, type GenerateQueue } from '@flowq/queue';
import type { AccountSlots } from '@flowq/scheduler';
import type { Redis } from 'ioredis';
import type { PoolSnapshots } from './account-pool-snapshot';
import type { WaitingRoom } from './waiting-room';

/**
 * Turns "a slot is free" into "a waiting job runs now". Every worker process hears each
 * release; each pops (atomically) one job the freed account can serve and promotes it, so a
 * free slot is taken within milliseconds; a job that loses the race simply parks again.
 */
export async function startWaker(deps: {
  subscriber: Redis;
  slots: AccountSlots;
  waitingRoom: WaitingRoom;
  snapshots: PoolSnapshots;
  queue: GenerateQueue;
  prefix: string;
  logger: Logger;
}): Promise<() => Promise<void>> {
  const { subscriber, slots, waitingRoom, snapshots, queue, logger } = deps;

  async function promote(jobId: string): Promise<void> {
    const job = await queue.getJob(jobId);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }

  const onFreed = (email: string) => {
    void (async () => {
      const { rows } = await snapshots.take(new Date());
      const tier = rows.find((r) => r.email === email)?.tier ?? 'pro';
      const jobId = await waitingRoom.popFor(email, tier);
      if (jobId) await promote(jobId);
    })().catch((err) => logger.debug({ err }, 'wake-up failed; the job wakes on its timer'));
  };

  const allChannel = wakeAllChannel(deps.prefix);
  const onMessage = (channel: string) => {
    if (channel !== allChannel) return;
    // Whoever woke us changed accounts or the gate: do not decide from a cached pool.
    snapshots.invalidate();
    void (async () => {
      const ids = await waitingRoom.popAll();
      for (const id of ids) await promote(id);
      if (ids.length) logger.info({ jobs: ids.length }, 'woke every waiting job');
    })().catch((err) => logger.debug({ err }, 'wake-all failed; jobs wake on their timers'));
  };
  subscriber.on('message', onMessage);
  await subscriber.subscribe(allChannel);
  const stopFreed = await slots.onSlotFreed(subscriber, onFreed);
  return async () => {
    await stopFreed();
    subscriber.off('message', onMessage);
    await subscriber.unsubscribe(allChannel).catch(() => undefined);
  };
}
