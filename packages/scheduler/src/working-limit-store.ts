import type { Redis } from 'ioredis';
import { luaNow, luaScript } from './lua-script';
import { slotKeys } from './slot-keys';
import { initialWorkingLimit, type WorkingLimit } from './working-limit';

/**
 * Each account's working limit, shared by every worker process: a Redis hash beside the account's
 * leases (`slotKeys(...).workingLimit`), read by the acquire script, which takes
 * min(working limit, configured limit). No hash: never cut, the configured limit applies.
 * `working-limit.ts` decides every change; this store only reads and writes, and a write is a
 * compare-and-set on the hash's version, so two processes learning from two 429s at once cannot
 * undo each other. Clean completions are counted in the hash by the script that records them in
 * the account's statistics (`AccountStatsStore.record` with `countCleanIn`): no round trip of
 * their own.
 *
 * Not kept in Postgres: after a Redis wipe every account starts again at its configured limit
 * and relearns it with one uncounted 429.
 */
export interface WorkingLimitStore {
  /** The key `AccountStatsStore.record` counts a clean completion in (the hash's `clean`). */
  keyOf(email: string): string;
  /** The state, its version (for `write`) and the slots held on the account right now. */
  read(email: string, ceiling: number): Promise<{ state: WorkingLimit; version: string; running: number }>;
  /** Writes `state` if nobody changed the hash since `version` was read; false otherwise. */
  write(email: string, version: string, state: WorkingLimit): Promise<boolean>;
}

/** The hash's fields, in the order every script returns them. */
export const WORKING_LIMIT_FIELDS = ['limit', 'cut', 'probing', 'clean', 'refused', 'v'] as const;

// KEYS: the hash, the account's leases. Read-only. Returns the fields, then the live leases.
const READ = luaScript(`
${luaNow(1)}
local out = redis.call('HMGET', KEYS[1], 'limit', 'cut', 'probing', 'clean', 'refused', 'v')
out[7] = redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')
return out
`);

// KEYS: the hash. ARGV: expected version ('' when none), then limit, cut, probing, clean, refused.
const WRITE = luaScript(`
local v = redis.call('HGET', KEYS[1], 'v') or ''
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'limit', ARGV[2], 'cut', ARGV[3], 'probing', ARGV[4], 'clean', ARGV[5], 'refused', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'v', 1)
return 1
`);

/** The state in a hash's fields (as `WORKING_LIMIT_FIELDS`); the ceiling's initial state when there is none. */
export function parseWorkingLimit(fields: readonly (string | null | undefined)[] | null, ceiling: number): { state: WorkingLimit; version: string } {
  const [limit, cut, probing, clean, refused, v] = fields ?? [];
  if (limit === null || limit === undefined) return { state: initialWorkingLimit(ceiling), version: v ?? '' };
  return {
    state: { limit: Number(limit), cut: cut === '1', probing: probing === '1', clean: Number(clean ?? 0), refusedRaises: Number(refused ?? 0) },
    version: v ?? '',
  };
}

export function createWorkingLimitStore(redis: Redis, { prefix }: { prefix: string }): WorkingLimitStore {
  const keyOf = (email: string) => slotKeys(prefix, email).workingLimit;
  const flag = (b: boolean) => (b ? 1 : 0);
  return {
    keyOf,

    async read(email, ceiling) {
      const out = (await READ.run(redis, [keyOf(email), slotKeys(prefix, email).leases], [''])) as (string | number | null)[];
      const fields = out.slice(0, WORKING_LIMIT_FIELDS.length) as (string | null)[];
      return { ...parseWorkingLimit(fields, ceiling), running: Number(out[WORKING_LIMIT_FIELDS.length] ?? 0) };
    },

    async write(email, version, s) {
      return (await WRITE.run(redis, [keyOf(email)], [version, s.limit, flag(s.cut), flag(s.probing), s.clean, s.refusedRaises])) === 1;
    },
  };
}
