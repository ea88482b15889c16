import type { Redis } from 'ioredis';
import { luaNow, luaScript } from './lua-script';
import { leasesKeyOf, workingLimitKey } from './slot-keys';
import { initialWorkingLimit, type WorkingLimit } from './working-limit';

/**
 * Each account's working limit (`working-limit.ts` decides it), shared by every process in one
 * Redis hash beside the account's leases, where the acquire script reads it. No hash means the
 * limit was never cut: the configured ceiling holds. Changes are compare-and-set on a version,
 * so two processes learning from two 429s at once cannot both apply theirs to the same state.
 */
export interface WorkingLimitStore {
  /** The state, its version, and the slots held on the account right now. */
  read(email: string, ceiling: number): Promise<{ state: WorkingLimit; version: string; running: number }>;
  /** Writes `state` if nobody changed the hash since `version` was read; false otherwise. */
  write(email: string, version: string, state: WorkingLimit): Promise<boolean>;
  /** Counts a clean completion; the state before it, or null when the limit was never cut (nothing to count toward). */
  completed(email: string, ceiling: number): Promise<{ before: WorkingLimit; version: string } | null>;
  /** After a Redis wipe: the limit Postgres last recorded, unless one was learned since. True when it set it. */
  restore(email: string, limit: number, ceiling: number): Promise<boolean>;
}

const FIELDS = ['limit', 'cut', 'probing', 'clean', 'refused', 'v'] as const;

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

// KEYS: the hash. Counts one clean completion where a limit was learned; returns the fields after it.
const COMPLETED = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
redis.call('HINCRBY', KEYS[1], 'clean', 1)
return redis.call('HMGET', KEYS[1], 'limit', 'cut', 'probing', 'clean', 'refused', 'v')
`);

// KEYS: the hash. ARGV: limit, cut.
const RESTORE = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'limit', ARGV[1], 'cut', ARGV[2], 'probing', 0, 'clean', 0, 'refused', 0, 'v', 1)
return 1
`);

function parse(fields: (string | null)[] | null, ceiling: number): { state: WorkingLimit; version: string } {
  if (!fields || fields[0] === null || fields[0] === undefined) return { state: initialWorkingLimit(ceiling), version: fields?.[FIELDS.length - 1] ?? '' };
  const [limit, cut, probing, clean, refused, v] = fields;
  return {
    state: { limit: Number(limit), cut: cut === '1', probing: probing === '1', clean: Number(clean ?? 0), refusedRaises: Number(refused ?? 0) },
    version: v ?? '',
  };
}

export function createWorkingLimitStore(redis: Redis, { prefix }: { prefix: string }): WorkingLimitStore {
  const key = (email: string) => workingLimitKey(prefix, email);
  const flag = (b: boolean) => (b ? 1 : 0);
  return {
    async read(email, ceiling) {
      const fields = (await READ.run(redis, [key(email), leasesKeyOf(prefix, email)], [''])) as (string | number | null)[];
      return { ...parse(fields.slice(0, FIELDS.length) as (string | null)[], ceiling), running: Number(fields[FIELDS.length] ?? 0) };
    },

    async write(email, version, s) {
      return (await WRITE.run(redis, [key(email)], [version, s.limit, flag(s.cut), flag(s.probing), s.clean, s.refusedRaises])) === 1;
    },

    async completed(email, ceiling) {
      const fields = (await COMPLETED.run(redis, [key(email)], [])) as (string | null)[] | null;
      if (!fields) return null;
      const { state, version } = parse(fields, ceiling);
      return { before: { ...state, clean: Math.max(0, state.clean - 1) }, version };
    },

    async restore(email, limit, ceiling) {
      const s = initialWorkingLimit(ceiling, limit);
      return (await RESTORE.run(redis, [key(email)], [s.limit, flag(s.cut)])) === 1;
    },
  };
}
