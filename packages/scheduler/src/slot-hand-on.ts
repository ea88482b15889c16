import type { Redis } from 'ioredis';
import type { SlotLane } from './account-slots';
import { luaNow, luaScript } from './lua-script';
import { slotKeys } from './slot-keys';

/** The rate budget's window (as in account-slots.ts). */
const RATE_WINDOW_MS = 60_000;

/**
 * How long a handed slot waits for its job to claim it. The woken job claims it within
 * milliseconds; if it never does (it was already running, its promote raced a cancel, the waker
 * died before promoting it), the slot frees itself after this instead of after a whole lease.
 */
export const HANDED_SLOT_MS = 30_000;

export type HandOnResult =
  /** The lease was not held (already released, expired, or a handed slot its job had claimed): nothing changed. */
  | { freed: false }
  /** The slot is free; `handedTo` (a waiting-room member) holds it now, unless nobody waited or the account had no room left. */
  | { freed: true; handedTo: string | null };

export interface HandedSlot {
  email: string;
  /** The limit the slot was taken under (as `AccountSlots.acquire` answers). */
  limit: number;
}

/** An account's limits as the hand-on applies them (its configured ceiling; the working limit applies when lower). */
export interface HandOnLimits {
  maxConcurrent: number;
  maxPerMinute: number;
}

// KEYS: leases, submits, working limit of the account, then the waiting-room keys it may serve.
// ARGV: leaseId, unclaimedOnly (1|0), maxConcurrent, maxPerMinute, handedMs, windowMs, handoff key prefix, email, now|''.
// Members of the waiting room are `<rank>:<lease id>`. Returns {0} (nothing freed), {1} or {1, member}.
const HAND_ON = luaScript(`
local leaseId = ARGV[1]
local handoffPrefix = ARGV[7]
if ARGV[2] == '1' then
  -- Only a handed slot its job has not claimed yet: the claim deletes this key atomically.
  if redis.call('DEL', handoffPrefix .. leaseId) == 0 then return {0} end
else
  redis.call('DEL', handoffPrefix .. leaseId)
end
if redis.call('ZREM', KEYS[1], leaseId) == 0 then return {0} end
if #KEYS < 4 then return {1} end
${luaNow(9)}
local windowMs = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - windowMs)
local limit = tonumber(ARGV[3])
local working = tonumber(redis.call('HGET', KEYS[3], 'limit'))
if working and working < limit then limit = working end
if redis.call('ZCARD', KEYS[1]) >= limit or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {1} end
local best, bestKey = nil, nil
for i = 4, #KEYS do
  local head = redis.call('ZRANGE', KEYS[i], 0, 0)[1]
  if head and (best == nil or head < best) then best, bestKey = head, KEYS[i] end
end
if not best then return {1} end
redis.call('ZREM', bestKey, best)
local jobId = string.sub(best, string.find(best, ':', 1, true) + 1)
local handedMs = tonumber(ARGV[5])
redis.call('ZADD', KEYS[1], now + handedMs, jobId)
redis.call('ZADD', KEYS[2], now, now .. ':' .. jobId)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(last[2]) - now, 0) + windowMs)
redis.call('PEXPIRE', KEYS[2], 2 * windowMs)
redis.call('SET', handoffPrefix .. jobId, ARGV[8] .. '\\n' .. limit, 'PX', handedMs)
return {1, best}
`);

// KEYS: the lease's handoff key, then keys to read along (their values come back). ARGV: leaseId,
// leaseMs, windowMs, leases key prefix, leases key suffix, now|''. The leases key of the handed
// account is built from the handoff (one script, one round trip, on a single Redis as every
// scheduler script assumes). Returns {email|false, limit|false, values...}.
const CLAIM = luaScript(`
local reads = {}
for i = 2, #KEYS do reads[#reads + 1] = redis.call('GET', KEYS[i]) or false end
local handed = redis.call('GET', KEYS[1])
if not handed then return {false, false, unpack(reads)} end
redis.call('DEL', KEYS[1])
local sep = string.find(handed, '\\n', 1, true)
local email = string.sub(handed, 1, sep - 1)
local limit = string.sub(handed, sep + 1)
local leases = ARGV[4] .. string.lower(email) .. ARGV[5]
${luaNow(6)}
local held = redis.call('ZSCORE', leases, ARGV[1])
if not held or tonumber(held) <= now then return {false, false, unpack(reads)} end
redis.call('ZADD', leases, 'XX', now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', leases, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', leases, math.max(tonumber(last[2]) - now, 0) + tonumber(ARGV[3]))
return {email, limit, unpack(reads)}
`);

/**
 * A freed slot handed straight to the job woken for it: one script releases the lease, pops the
 * most urgent waiting job the account can serve and takes the slot for it (under the same limits
 * as `AccountSlots.acquire`), leaving the job a note of which account it holds. The woken job
 * claims the note in one call (with whatever else it reads at that moment, e.g. the dispatch
 * gate) instead of reading the pool and acquiring: release + wake + re-acquire become release-
 * and-hand-on + claim.
 */
export function createSlotHandOn(redis: Redis, { prefix, lane = 'video' }: { prefix: string; lane?: SlotLane }) {
  const handoffPrefix = `${prefix}:slots:handoff:${lane}:`;
  // slotKeys(prefix, email).leases = <before><email><after>: the claim rebuilds it from the email.
  const marker = 'x@y.z';
  const sample = slotKeys(prefix, marker, lane).leases;
  const leasesBefore = sample.slice(0, sample.indexOf(marker));
  const leasesAfter = sample.slice(sample.indexOf(marker) + marker.length);
  const clock = (now?: number) => (now === undefined ? '' : Math.floor(now));

  return {
    /**
     * Releases `leaseId`'s slot on `email` and hands it to the most urgent member of
     * `waitingKeys` (none given: a plain release). `unclaimedOnly`: release only a handed slot
     * its job has not claimed (taking back a hand-on whose job could not be woken).
     */
    async handOn(
      email: string,
      leaseId: string,
      opts: { waitingKeys: string[]; limits: HandOnLimits; unclaimedOnly?: boolean; handedMs?: number; now?: number },
    ): Promise<HandOnResult> {
      const k = slotKeys(prefix, email, lane);
      const [freed, member] = (await HAND_ON.run(
        redis,
        [k.leases, k.submits, k.workingLimit, ...opts.waitingKeys],
        [
          leaseId,
          opts.unclaimedOnly ? 1 : 0,
          opts.limits.maxConcurrent,
          opts.limits.maxPerMinute,
          opts.handedMs ?? HANDED_SLOT_MS,
          RATE_WINDOW_MS,
          handoffPrefix,
          email,
          clock(opts.now),
        ],
      )) as [number, string | undefined];
      return freed === 1 ? { freed: true, handedTo: member ?? null } : { freed: false };
    },

    /**
     * The slot handed to `leaseId`, now its own for `leaseMs` (null when none was handed, or the
     * handed slot expired unclaimed), and the values of `alsoRead` read in the same call.
     */
    async claim(leaseId: string, leaseMs: number, alsoRead: string[] = [], now?: number): Promise<{ handed: HandedSlot | null; read: (string | null)[] }> {
      const [email, limit, ...read] = (await CLAIM.run(
        redis,
        [handoffPrefix + leaseId, ...alsoRead],
        [leaseId, leaseMs, RATE_WINDOW_MS, leasesBefore, leasesAfter, clock(now)],
      )) as (string | null)[];
      return { handed: email ? { email, limit: Number(limit) } : null, read: read.map((v) => v ?? null) };
    },
  };
}

export type SlotHandOn = ReturnType<typeof createSlotHandOn>;
