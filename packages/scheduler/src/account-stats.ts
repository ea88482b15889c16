import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaNow, luaScript } from './lua-script';

export type Outcome = 'succeeded' | 'failed' | 'throttled';
const OUTCOMES = ['succeeded', 'failed', 'throttled'] as const satisfies readonly Outcome[];

export type OutcomeCounts = Record<Outcome, number>;

export interface AccountStats {
  email: string;
  /** Outcomes within the window (15 minutes unless configured): the scheduler's health signal. */
  recent: OutcomeCounts;
  total: OutcomeCounts;
  /** Mean over every success recorded with a generation time; null before the first. */
  meanGenerationMs: number | null;
}

export interface AccountStatsOptions {
  prefix: string;
  /** How far back `recent` looks. Default 15 minutes, useapi's own window. */
  windowMs?: number;
}

export interface AccountStatsStore {
  /**
   * `at` (ms epoch or Date) defaults to the Redis server clock. `countCleanIn`: a working-limit
   * hash (`WorkingLimitStore.keyOf`) that counts this success as a clean completion, in the same
   * call, when the account has one (its limit was cut); returns its fields after the count
   * (`WORKING_LIMIT_FIELDS`), else null.
   */
  record(email: string, outcome: Outcome, options?: { at?: Date | number; generationMs?: number; countCleanIn?: string }): Promise<(string | null)[] | null>;
  /** `now` defaults to the Redis server clock. */
  read(emails: string[], now?: Date | number): Promise<AccountStats[]>;
  /** When the account was throttled within the window, oldest first: the input of `coolOff`. */
  throttledAt(email: string, now?: Date | number): Promise<Date[]>;
}

const DEFAULT_WINDOW_MS = 15 * 60_000;

// KEYS: the outcome's ZSET, totals HASH, optionally a working-limit HASH to count a clean completion in.
// ARGV: outcome, at|'', generationMs|'', windowMs, nonce.
const RECORD = luaScript(`
${luaNow(2)}
local windowMs = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
redis.call('PEXPIRE', KEYS[1], windowMs)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if ARGV[3] ~= '' then
  redis.call('HINCRBY', KEYS[2], 'generationMsSum', ARGV[3])
  redis.call('HINCRBY', KEYS[2], 'generationCount', 1)
end
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HINCRBY', KEYS[3], 'clean', 1)
  return redis.call('HMGET', KEYS[3], 'limit', 'cut', 'probing', 'clean', 'refused', 'v')
end
return nil
`);

// KEYS: per account, its three outcome ZSETs then its totals HASH. ARGV: now|'', windowMs. Read-only.
const READ = luaScript(`
${luaNow(1)}
local since = '(' .. (now - tonumber(ARGV[2]))
local out = {}
for i = 1, #KEYS / 4 do
  local base = 4 * (i - 1)
  local row = {}
  for j = 1, 3 do row[j] = redis.call('ZCOUNT', KEYS[base + j], since, '+inf') end
  local totals = redis.call('HMGET', KEYS[base + 4], 'succeeded', 'failed', 'throttled', 'generationMsSum', 'generationCount')
  for j = 1, 5 do row[3 + j] = tonumber(totals[j]) or 0 end
  out[i] = row
end
return out
`);

// KEYS: the throttled ZSET. ARGV: now|'', windowMs. Read-only.
const THROTTLED_AT = luaScript(`
${luaNow(1)}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - tonumber(ARGV[2])), '+inf', 'WITHSCORES')
`);

const ms = (at: Date | number | undefined) => (at === undefined ? '' : Math.floor(typeof at === 'number' ? at : at.getTime()));

/** Rolling outcome counts per account: ZSETs of timestamps for the window, a hash of all-time totals. */
export function createAccountStats(redis: Redis, { prefix, windowMs = DEFAULT_WINDOW_MS }: AccountStatsOptions): AccountStatsStore {
  const outcomeKey = (email: string, outcome: Outcome) => `${prefix}:stats:${email.toLowerCase()}:${outcome}`;
  const totalsKey = (email: string) => `${prefix}:stats:${email.toLowerCase()}:totals`;

  return {
    async record(email, outcome, options = {}) {
      if (!OUTCOMES.includes(outcome)) throw new RangeError(`unknown outcome ${String(outcome)}`);
      const generationMs = options.generationMs === undefined ? '' : Math.max(0, Math.round(options.generationMs));
      // The nonce keeps two records in the same millisecond apart in the ZSET.
      const nonce = randomBytes(6).toString('hex');
      const keys = [outcomeKey(email, outcome), totalsKey(email)];
      if (options.countCleanIn && outcome === 'succeeded') keys.push(options.countCleanIn);
      return ((await RECORD.run(redis, keys, [outcome, ms(options.at), generationMs, windowMs, nonce])) as (string | null)[] | null) ?? null;
    },

    async read(emails, now) {
      if (emails.length === 0) return [];
      const keys = emails.flatMap((e) => [...OUTCOMES.map((o) => outcomeKey(e, o)), totalsKey(e)]);
      const rows = (await READ.run(redis, keys, [ms(now), windowMs])) as number[][];
      return emails.map((email, i) => {
        const [rs, rf, rt, ts, tf, tt, sum, count] = rows[i]!;
        return {
          email,
          recent: { succeeded: rs!, failed: rf!, throttled: rt! },
          total: { succeeded: ts!, failed: tf!, throttled: tt! },
          meanGenerationMs: count ? sum! / count : null,
        };
      });
    },

    async throttledAt(email, now) {
      const flat = (await THROTTLED_AT.run(redis, [outcomeKey(email, 'throttled')], [ms(now), windowMs])) as string[];
      const out: Date[] = [];
      for (let i = 1; i < flat.length; i += 2) out.push(new Date(Number(flat[i])));
      return out;
    },
  };
}
