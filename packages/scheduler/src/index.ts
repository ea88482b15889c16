/**
 * @flowq/scheduler: which Google Flow account runs a job, and when.
 *
 * Glossary
 * - account: a Google Flow account configured at useapi.net (`email`, tier `ultra` | `pro`).
 * - slot: one of an account's `maxConcurrent` places for a running upstream job; held as a
 *   lease in Redis that expires unless renewed, so a crashed worker's slots come back.
 * - rate budget: an account's `maxPerMinute` submissions over a sliding 60 s window.
 * - cool-off: a rest of hours after repeated 429 THROTTLED answers (`coolOff`) under a working limit already cut.
 * - working limit: the concurrency flowq uses on an account, learned from throttling 429s and clean
 *   completions, never above the configured limit (the ceiling) (`nextWorkingLimit`).
 * - model quota: a per-model daily limit, until the next UTC midnight (`nextUtcMidnight`).
 * - service back-off: a pause of every worker after 503s, which no account switch fixes.
 *
 * A worker ranks the accounts from a snapshot once (`chooseAccounts`, pure), then lets Redis take
 * the first one that is really free (`AccountSlots.acquire`, atomic across machines).
 */
export * from './pick-account';
export * from './account-slots';
export * from './account-stats';
export * from './cool-off-policy';
export * from './service-backoff';
export * from './model-eligibility';
export { luaScript, type LuaScript } from './lua-script';
export * from './pick-image-account';
export * from './slot-keys';
export * from './working-limit';
export * from './working-limit-store';
export * from './idle-slots';
export * from './slot-hand-on';
export * from './hand-on-policy';
