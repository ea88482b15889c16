import type { AccountSnapshot } from './pick-account';

/** For table tests: an open pro account with nothing running, changed by `over`. */
export function accountSnapshot(email: string, over: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    email,
    tier: 'pro',
    enabled: true,
    state: 'active',
    coolingUntil: null,
    draining: false,
    running: 0,
    maxConcurrent: 4,
    submittedLastMinute: 0,
    maxPerMinute: 10,
    modelQuotaUntil: {},
    recent: { succeeded: 0, failed: 0, throttled: 0 },
    ...over,
  };
}
