import type { SlotRelease } from '@flowq/queue';

/**
 * Wakes one waiting job per idle slot (`idleSlots`), account by account, until nobody waits for
 * it. Slots still idle then go to the most urgent `queued` jobs Postgres knows (`moreQueued`):
 * a parked job whose wake-up was lost and that the waiting room no longer lists is found there.
 * Returns how many jobs it woke.
 */
export async function refillIdleSlots(
  idle: readonly { email: string; free: number }[],
  release: Pick<SlotRelease, 'wakeOneFor' | 'wake'>,
  moreQueued: (limit: number) => Promise<string[]>,
): Promise<number> {
  let woken = 0;
  let unfilled = 0;
  for (const { email, free } of idle) {
    let i = 0;
    for (; i < free; i++) {
      if (!(await release.wakeOneFor(email))) break;
      woken++;
    }
    unfilled += free - i;
  }
  if (unfilled > 0) for (const id of await moreQueued(unfilled)) if (await release.wake(id)) woken++;
  return woken;
}
