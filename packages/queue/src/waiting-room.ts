import type { Redis } from 'ioredis';

/**
 * Jobs that found no free account wait here (as delayed BullMQ jobs, holding no worker slot)
 * instead of polling for one. When a slot frees up, the best waiting job that the freed
 * account can serve is popped and promoted, so it starts within milliseconds, not at its timer.
 *
 * One sorted set per kind of need: pinned to one account, Ultra-only model, or any account.
 * Members are `<bull priority, zero-padded>:<job id>` at score 0, so the lexically smallest
 * member is the most urgent job, oldest first (job ids are time-ordered). Parking twice is a no-op.
 */
const POP_SMALLEST = `
local best, bestKey = nil, nil
for i = 1, #KEYS do
  local head = redis.call('ZRANGE', KEYS[i], 0, 0)[1]
  if head and (best == nil or head < best) then best, bestKey = head, KEYS[i] end
end
if best then redis.call('ZREM', bestKey, best) end
return best
`;

// KEYS: the job's class. ARGV: member. Joins the class only when others already wait in it; returns how many did.
const PARK_IF_OTHERS_WAIT = `
local n = redis.call('ZCARD', KEYS[1])
if n > 0 then redis.call('ZADD', KEYS[1], 0, ARGV[1]) end
return n
`;

// KEYS: the job's wake flag, its class. Returns -1 when the flag was there (taken), else how many wait in the class.
const AFTER_PARKING = `
if redis.call('GETDEL', KEYS[1]) then return -1 end
return redis.call('ZCARD', KEYS[2])
`;

export interface WaitNeeds {
  jobId: string;
  bullPriority: number;
  /** The one account the job can run on, if any. */
  pinnedTo?: string | null;
  ultraOnly: boolean;
}

export function createWaitingRoom(redis: Redis, prefix: string) {
  const key = (cls: string) => `${prefix}:waiting:${cls}`;
  const classOf = (n: WaitNeeds) => (n.pinnedTo ? `acct:${n.pinnedTo.toLowerCase()}` : n.ultraOnly ? 'ultra' : 'any');
  const memberOf = (n: WaitNeeds) => `${String(n.bullPriority).padStart(8, '0')}:${n.jobId}`;
  const jobIdOf = (member: string) => member.slice(member.indexOf(':') + 1);
  const allClassesPattern = `${prefix}:waiting:*`;
  const wakeFlagKey = (jobId: string) => `${prefix}:wake-flag:${jobId}`;
  const keysFor = (email: string, tier: 'ultra' | 'pro') => [key(`acct:${email.toLowerCase()}`), ...(tier === 'ultra' ? [key('ultra')] : []), key('any')];

  return {
    async park(needs: WaitNeeds): Promise<void> {
      await redis.zadd(key(classOf(needs)), 0, memberOf(needs));
    },

    /**
     * A fresh job queues behind the jobs of its class already waiting: it is listed (as `park`
     * would) only when some do. Returns how many waited before it; 0: not listed.
     */
    async parkIfOthersWait(needs: WaitNeeds): Promise<number> {
      return (await redis.eval(PARK_IF_OTHERS_WAIT, 1, key(classOf(needs)), memberOf(needs))) as number;
    },

    /** Once parked, in one call: its wake flag taken ('flag'), else how many wait in its class. */
    async afterParking(needs: WaitNeeds): Promise<'flag' | number> {
      const n = (await redis.eval(AFTER_PARKING, 2, wakeFlagKey(needs.jobId), key(classOf(needs)))) as number;
      return n < 0 ? 'flag' : n;
    },

    /** How many wait in the job's own class (the one a release of a fitting account pops from). */
    async waiting(needs: WaitNeeds): Promise<number> {
      return redis.zcard(key(classOf(needs)));
    },

    async unpark(needs: WaitNeeds): Promise<void> {
      await redis.zrem(key(classOf(needs)), memberOf(needs));
    },

    /** The rooms a freed slot of this account serves: its own pinned jobs, Ultra-only jobs on an Ultra account, any. */
    keysFor,

    /** The job id of a member (`<rank>:<job id>`). */
    jobIdOf,

    /** The most urgent job the freed account can take, removed from the room; null when none waits. */
    async popFor(email: string, tier: 'ultra' | 'pro'): Promise<string | null> {
      const keys = keysFor(email, tier);
      const member = (await redis.eval(POP_SMALLEST, keys.length, ...keys)) as string | null;
      return member ? jobIdOf(member) : null;
    },

    /** Empties the room (a service-wide pause ended, a cool-off lifted): every waiting job, once. */
    async popAll(limit = 10_000): Promise<string[]> {
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', allClassesPattern, 'COUNT', 100);
        cursor = next;
        for (const k of keys) {
          const members = (await redis.zpopmin(k, limit)).filter((_, i) => i % 2 === 0);
          out.push(...members.map(jobIdOf));
        }
      } while (cursor !== '0' && out.length < limit);
      return out;
    },

    /** Marks a job to promote itself: its wake-up came while it was still active, not yet delayed. */
    async leaveWakeFlag(jobId: string): Promise<void> {
      await redis.set(wakeFlagKey(jobId), '1', 'PX', 60_000);
    },

    async takeWakeFlag(jobId: string): Promise<boolean> {
      return (await redis.getdel(wakeFlagKey(jobId))) !== null;
    },

    async size(): Promise<number> {
      let n = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', allClassesPattern, 'COUNT', 100);
        cursor = next;
        for (const k of keys) n += await redis.zcard(k);
      } while (cursor !== '0');
      return n;
    },
  };
}

export type WaitingRoom = ReturnType<typeof createWaitingRoom>;
