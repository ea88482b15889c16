import type { Logger } from '@flowq/config';
import { wakeAllChannel, wakeJob, type GenerateQueue, type WaitingRoom } from '@flowq/queue';
import type { Redis } from 'ioredis';
import type { PoolSnapshots } from './account-pool-snapshot';

/**
 * Wake-all: capacity is back for everyone (token accepted again, cool-off lifted, account
 * re-added). A message on the wake-all channel, heard by every process, empties the waiting
 * room. (One freed slot wakes one job instead: `createSlotRelease` in @flowq/queue.)
 */
export function createWaker(deps: { waitingRoom: WaitingRoom; snapshots: PoolSnapshots; queue: GenerateQueue; logger: Logger }) {
  const { waitingRoom, snapshots, queue, logger } = deps;

  return {
    async listen(subscriber: Redis, prefix: string): Promise<() => Promise<void>> {
      const channel = wakeAllChannel(prefix);
      const onMessage = (from: string) => {
        if (from !== channel) return;
        // Whoever woke us changed accounts or the gate: do not decide from a cached pool.
        snapshots.invalidate();
        void (async () => {
          const ids = await waitingRoom.popAll();
          for (const id of ids) await wakeJob(queue, waitingRoom, id);
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
