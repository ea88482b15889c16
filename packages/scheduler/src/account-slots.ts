import type { Redis } from 'ioredis';
import { luaNow, luaScript } from './lua-script';
import { slotKeys } from './slot-keys';

/** The rate budget counts submissions over this sliding window. */
const RATE_WINDOW_MS = 60_000;

export interface SlotCandidate {
  email: string;
  maxConcurrent: number;
  maxPerMinute: number;
}

export type AcquireResult =
  /** limit: the limit the slot was taken under, min(working limit, configured); what a throttling 429 for it says is too high. */
  | { ok: true; email: string; limit: number }
  /**
   * retryAt: ms epoch (Redis clock) when the first lease expires or submission leaves the
   * window; a release may free a slot sooner. A minute from now when no candidate can ever open.
   */
  | { ok: false; retryAt: number };

export interface SlotUsage {
  email: string;
  /** Leases held and not expired. */
  running: number;
  /** Slots taken over the last 60 s (each acquire counts as one upstream submission). */
  submittedLastMinute: number;
  /** The working limit learned from throttling 429s; null when never cut (the configured limit applies). */
  workingLimit: number | null;
}

/** `now` (ms epoch) replaces the Redis server clock; for tests only. */
export interface ClockOption {
  now?: number;
}

/**
 * Per-account concurrency slots and submission-rate budgets, shared by every worker process
 * through Redis. A slot is a lease that expires unless renewed, so a crashed worker's slots
 * come back on their own.
 */
export interface AccountSlots {
  /**
   * Takes a slot on the first candidate (in the given order) that has both a free slot and
   * rate budget left, atomically: two processes can never both take the last slot. A candidate's
   * `maxConcurrent` is a ceiling: its working limit applies when lower.
   * Idempotent per lease: a lease that already holds a slot on a candidate gets that one back.
   */
  acquire(candidates: SlotCandidate[], leaseId: string, options: { leaseMs: number } & ClockOption): Promise<AcquireResult>;
  /** Frees the slot; false when the lease was not held (already released or expired). */
  release(email: string, leaseId: string): Promise<boolean>;
  /** Extends a held lease to `leaseMs` from now; false when it has already expired or was released (the slot may be someone else's now). */
  renew(email: string, leaseId: string, leaseMs: number, options?: ClockOption): Promise<boolean>;
  /**
   * Holds the slot for `leaseId` whatever the count (a job known to be running upstream after a
   * Redis wipe or an expired lease): the account may be over its limit for a while, which only
   * stops new acquires until enough end. Not counted as a submission.
   */
  restore(email: string, leaseId: string, leaseMs: number, options?: ClockOption): Promise<void>;
  running(email: string, options?: ClockOption): Promise<number>;
  snapshot(emails: string[], options?: ClockOption): Promise<SlotUsage[]>;
  /** Drops every lease of the account (after a reset); returns how many there were. */
  releaseAll(email: string): Promise<number>;
  /** The lease ids each account holds (expired ones included until they are swept), in one round trip. */
  holders(emails: string[]): Promise<Map<string, string[]>>;
}

// KEYS: for each candidate, its leases ZSET, its submissions ZSET and its working-limit HASH.
// ARGV: leaseId, leaseMs, now|'', windowMs, then maxConcurrent and maxPerMinute per candidate.
// Returns {1, candidate, limit taken under} or {0, retryAt}.
const ACQUIRE = luaScript(`
local leaseId = ARGV[1]
local leaseMs = tonumber(ARGV[2])
${luaNow(3)}
local windowMs = tonumber(ARGV[4])
local n = #KEYS / 3

local function limitOf(i)
  local ceiling = tonumber(ARGV[3 + 2 * i])
  local working = tonumber(redis.call('HGET', KEYS[3 * i], 'limit'))
  if working and working < ceiling then return working end
  return ceiling
end

for i = 1, n do
  local held = redis.call('ZSCORE', KEYS[3 * i - 2], leaseId)
  if held and tonumber(held) > now then return {1, i, limitOf(i)} end
end

local retryAt = -1
for i = 1, n do
  local leases, submits = KEYS[3 * i - 2], KEYS[3 * i - 1]
  local maxConcurrent = limitOf(i)
  local maxPerMinute = tonumber(ARGV[4 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', submits, '-inf', now - windowMs)
  local running = redis.call('ZCARD', leases)
  local submitted = redis.call('ZCARD', submits)
  if running < maxConcurrent and submitted < maxPerMinute then
    redis.call('ZADD', leases, now + leaseMs, leaseId)
    redis.call('ZADD', submits, now, now .. ':' .. leaseId)
    local last = redis.call('ZRANGE', leases, -1, -1, 'WITHSCORES')
    redis.call('PEXPIRE', leases, math.max(tonumber(last[2]) - now, 0) + windowMs)
    redis.call('PEXPIRE', submits, 2 * windowMs)
    return {1, i, maxConcurrent}
  end
  if maxConcurrent > 0 and maxPerMinute > 0 then
    local opensAt = now
    if running >= maxConcurrent then
      local lease = redis.call('ZRANGE', leases, running - maxConcurrent, running - maxConcurrent, 'WITHSCORES')
      opensAt = math.max(opensAt, tonumber(lease[2]))
    end
    if submitted >= maxPerMinute then
      local submit = redis.call('ZRANGE', submits, submitted - maxPerMinute, submitted - maxPerMinute, 'WITHSCORES')
      opensAt = math.max(opensAt, tonumber(submit[2]) + windowMs)
    end
    if retryAt < 0 or opensAt < retryAt then retryAt = opensAt end
  end
end
if retryAt < 0 then retryAt = now + windowMs end
return {0, retryAt}
`);

// KEYS: leases. ARGV: leaseId, leaseMs, now|'', windowMs.
const RENEW = luaScript(`
local leaseId = ARGV[1]
local leaseMs = tonumber(ARGV[2])
${luaNow(3)}
local held = redis.call('ZSCORE', KEYS[1], leaseId)
if not held then return 0 end
if tonumber(held) <= now then
  redis.call('ZREM', KEYS[1], leaseId)
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', now + leaseMs, leaseId)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(last[2]) - now, 0) + tonumber(ARGV[4]))
return 1
`);

// KEYS: leases. ARGV: leaseId, leaseMs, now|'', windowMs.
const RESTORE = luaScript(`
${luaNow(3)}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(last[2]) - now, 0) + tonumber(ARGV[4]))
return 1
`);

// KEYS: leases, submissions and working-limit hash per account. ARGV: now|'', windowMs. Read-only.
// Returns per account: running, submitted, working limit (-1 when never cut).
const SNAPSHOT = luaScript(`
${luaNow(1)}
local windowMs = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS / 3 do
  out[3 * i - 2] = redis.call('ZCOUNT', KEYS[3 * i - 2], '(' .. now, '+inf')
  out[3 * i - 1] = redis.call('ZCOUNT', KEYS[3 * i - 1], '(' .. (now - windowMs), '+inf')
  out[3 * i] = tonumber(redis.call('HGET', KEYS[3 * i], 'limit')) or -1
end
return out
`);

// KEYS: leases.
const RELEASE_ALL = luaScript(`
local count = redis.call('ZCARD', KEYS[1])
redis.call('DEL', KEYS[1])
return count
`);

function assertLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/**
 * Which limit the slots count: `video` (generations, upscales, extends: Google's per-account
 * video concurrency) or `image` (`POST /images` calls, which useapi runs "3 to 20" at once per
 * account apart from videos). Same scripts, separate keys per lane.
 */
export type SlotLane = 'video' | 'image';

export function createAccountSlots(redis: Redis, { prefix, lane = 'video' }: { prefix: string; lane?: SlotLane }): AccountSlots {
  const keysOf = (email: string) => slotKeys(prefix, email, lane);
  const leasesKey = (email: string) => keysOf(email).leases;
  const clock = (options?: ClockOption) => (options?.now === undefined ? '' : Math.floor(options.now));

  async function snapshot(emails: string[], options?: ClockOption): Promise<SlotUsage[]> {
    if (emails.length === 0) return [];
    const keys = emails.flatMap((e) => {
      const k = keysOf(e);
      return [k.leases, k.submits, k.workingLimit];
    });
    const counts = (await SNAPSHOT.run(redis, keys, [clock(options), RATE_WINDOW_MS])) as number[];
    return emails.map((email, i) => {
      const working = counts[3 * i + 2]!;
      return { email, running: counts[3 * i]!, submittedLastMinute: counts[3 * i + 1]!, workingLimit: working < 0 ? null : working };
    });
  }

  return {
    async acquire(candidates, leaseId, { leaseMs, now }) {
      if (!leaseId) throw new RangeError('leaseId must not be empty');
      assertLimit('leaseMs', leaseMs);
      const keys: string[] = [];
      const limits: number[] = [];
      for (const c of candidates) {
        assertLimit('maxConcurrent', c.maxConcurrent);
        assertLimit('maxPerMinute', c.maxPerMinute);
        const k = keysOf(c.email);
        keys.push(k.leases, k.submits, k.workingLimit);
        limits.push(c.maxConcurrent, c.maxPerMinute);
      }
      const [taken, value, limit] = (await ACQUIRE.run(redis, keys, [leaseId, leaseMs, clock({ now }), RATE_WINDOW_MS, ...limits])) as [number, number, number];
      if (taken === 1) return { ok: true, email: candidates[value - 1]!.email, limit };
      return { ok: false, retryAt: value };
    },

    async release(email, leaseId) {
      return (await redis.zrem(leasesKey(email), leaseId)) === 1;
    },

    async renew(email, leaseId, leaseMs, options) {
      assertLimit('leaseMs', leaseMs);
      return (await RENEW.run(redis, [leasesKey(email)], [leaseId, leaseMs, clock(options), RATE_WINDOW_MS])) === 1;
    },

    async restore(email, leaseId, leaseMs, options) {
      if (!leaseId) throw new RangeError('leaseId must not be empty');
      assertLimit('leaseMs', leaseMs);
      await RESTORE.run(redis, [leasesKey(email)], [leaseId, leaseMs, clock(options), RATE_WINDOW_MS]);
    },

    async running(email, options) {
      const [usage] = await snapshot([email], options);
      return usage!.running;
    },

    snapshot,

    async releaseAll(email) {
      return (await RELEASE_ALL.run(redis, [leasesKey(email)], [])) as number;
    },

    async holders(emails) {
      if (emails.length === 0) return new Map();
      const pipeline = redis.pipeline();
      for (const email of emails) pipeline.zrange(leasesKey(email), 0, -1);
      const answers = (await pipeline.exec()) ?? [];
      return new Map(
        emails.map((email, i) => {
          const [err, ids] = answers[i] ?? [new Error('no answer'), null];
          if (err) throw err;
          return [email, ids as string[]];
        }),
      );
    },
  };
}
