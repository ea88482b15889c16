import { ConflictError } from '@flowq/core';
import type { AccountChangeDecision, AccountPatch, AccountRow } from '@flowq/db';

export interface AccountSettings {
  tier?: 'ultra' | 'pro';
  enabled?: boolean;
  maxConcurrent?: number;
  maxPerMinute?: number;
}

export interface AccountEdit extends AccountSettings {
  /** By hand an account only goes back to work or out of it; the other states are upstream's word. */
  state?: 'active' | 'disabled';
  reason?: string;
}

function settingChanges(current: AccountRow, edit: AccountSettings): { set: AccountPatch; changes: string[] } {
  const set: AccountPatch = {};
  const changes: string[] = [];
  for (const key of ['tier', 'enabled', 'maxConcurrent', 'maxPerMinute'] as const) {
    const value = edit[key];
    if (value === undefined || value === current[key]) continue;
    (set as Record<string, unknown>)[key] = value;
    changes.push(`${key} ${String(current[key])} -> ${String(value)}`);
  }
  return { set, changes };
}

/** PATCH: the settings that differ, and a hand-set state (which clears any cool-off). */
export function editDecision(current: AccountRow, edit: AccountEdit): AccountChangeDecision {
  const { set, changes } = settingChanges(current, edit);
  const stateChanges = edit.state !== undefined && edit.state !== current.state;
  if (stateChanges) {
    set.state = edit.state;
    set.coolingUntil = null;
    set.stateReason = edit.reason ?? (edit.state === 'active' ? null : 'disabled by an admin');
    changes.unshift(`state ${current.state} -> ${edit.state}`);
  }
  if (changes.length === 0) return null;
  const why = edit.reason ? `${edit.reason} (${changes.join('; ')})` : `by an admin: ${changes.join('; ')}`;
  return { set, event: { kind: stateChanges ? 'state_changed' : 'updated', reason: why } };
}

/**
 * POST of an account that exists: allowed only to bring back one whose session died
 * (`needs_reauth`, after a person re-added it at useapi) or to call off a drain.
 */
export function readdDecision(current: AccountRow, settings: AccountSettings): AccountChangeDecision {
  if (current.state !== 'needs_reauth' && !current.draining) {
    throw new ConflictError(`Account ${current.email} already exists; change it with PATCH /v1/accounts/${current.email}`, 'email');
  }
  const { set, changes } = settingChanges(current, settings);
  if (current.state === 'needs_reauth') {
    Object.assign(set, { state: 'active', stateReason: null, coolingUntil: null } satisfies AccountPatch);
    changes.unshift('needs_reauth -> active');
  }
  if (current.draining) {
    set.draining = false;
    changes.push('drain called off');
  }
  return { set, event: { kind: 're_added', reason: `re-added by an admin: ${changes.join('; ')}` } };
}

export function coolOffDecision(current: AccountRow, until: Date, reason: string): AccountChangeDecision {
  if (current.state !== 'active' && current.state !== 'cooling') {
    throw new ConflictError(`Account ${current.email} is ${current.state}; only an active or cooling account can be cooled off`);
  }
  return { set: { state: 'cooling', coolingUntil: until, stateReason: reason }, event: { kind: 'cooled_off', reason, until } };
}

export function liftCoolOffDecision(current: AccountRow): AccountChangeDecision {
  if (current.state !== 'cooling') throw new ConflictError(`Account ${current.email} is not cooling off (it is ${current.state})`);
  return { set: { state: 'active', coolingUntil: null, stateReason: null }, event: { kind: 'cool_off_lifted', reason: 'lifted by an admin' } };
}

export function drainDecision(current: AccountRow, running: number): AccountChangeDecision {
  if (current.draining) return null;
  return { set: { draining: true }, event: { kind: 'draining', reason: `removal asked while ${running} job(s) run; removed when they end` } };
}
