import type { Logger } from '@flowq/config';
import { promoteParked, wakeAllChannel, wakeOneFor, type GenerateQueue, type WaitingRoom } from '@flowq/queue';
import type { Redis } from 'ioredis';
import type { PoolSnapshots } from './account-pool-snapshot';

/**
 * Turns "capacity is back" into "a waiting job runs now".
 * - One slot freed: the process that freed it pops the most urgent job that account can
 *   serve and promotes it (`wakeOneFor`), so the slot is taken within milliseconds and only
 *   one job is woken per slot.
 * - Capacity back for everyone (token accepted again, cool-off lifted, account re-added):
 *   a message on the wake-all channel, heard by every process, empties the room.
 */
export function createWaker(deps: { waitingRoom: WaitingRoom; snapshots: PoolSnapshots; queue: GenerateQueue; logger: Logger }) {
  const { waitingRoom, snapshots, queue, logger } = deps;

  const promote = (jobId: string) => promoteParked(queue, waitingRoom, jobId);

  return {
    promote,

    async wakeOneFor(email: string): Promise<void> {
      try {
        const tier = (await snapshots.accounts()).find((r) => r.email === email)?.tier ?? 'pro';
        await wakeOneFor(queue, waitingRoom, email, tier);
      } catch (err) {
        logger.debug({ err }, 'wake-up failed; the job wakes on its timer');
      }
    },

    async listen(subscriber: Redis, prefix: string): Promise<() => Promise<void>> {
      const channel = wakeAllChannel(prefix);
      const onMessage = (from: string) => {
        if (from !== channel) return;
        // Whoever woke us changed accounts or the gate: do not decide from a cached pool.
        snapshots.invalidate();
        void (async () => {
          const ids = await waitingRoom.popAll();
          for (const id of ids) await promote(id);
          if (ids.length) logger.info({ jobs: ids.length }, 'woke every waiting job');
        })().catch((err) => logger.debug({ err }, 'wake-all failed; jobs wake on their timers'));
      };
      subscriber.on('message', onMessage);
      await subscriber.subscribe(channel);
      return async () => {
        subscriber.off('message', onMessage);
        await subscriber.unsubscribe(channel).catch(() => undefined);
      };
    },
  };
}

export type Waker = ReturnType<typeof createWaker>;
