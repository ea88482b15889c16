import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { accountEvents, type AccountEventRow } from '../schema';

/** A plain connection or an open transaction: account changes write their event in the same one. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * What happened to an account. Kinds in use: `added`, `updated`, `cooled_off`,
 * `cool_off_lifted`, `state_changed`, `draining`, `removed`, `synced`, `model_quota`, `model_denied`,
 * `captcha_provider_failed`, `google_unavailable`.
 */
export interface AccountEventInput {
  email: string;
  kind: string;
  fromState?: string | null;
  toState?: string | null;
  reason?: string | null;
  until?: Date | null;
  /** Default: the database's now(). */
  at?: Date;
}

export async function recordAccountEvent(db: DbOrTx, e: AccountEventInput): Promise<AccountEventRow> {
  const [row] = await db
    .insert(accountEvents)
    .values({
      email: e.email.toLowerCase(),
      kind: e.kind,
      fromState: e.fromState ?? null,
      toState: e.toState ?? null,
      reason: e.reason ?? null,
      until: e.until ?? null,
      ...(e.at ? { at: e.at } : {}),
    })
    .returning();
  return row!;
}

/** One account's events, newest first. */
export function listAccountEvents(db: DbOrTx, email: string, limit = 100): Promise<AccountEventRow[]> {
  return db
    .select()
    .from(accountEvents)
    .where(eq(accountEvents.email, email.toLowerCase()))
    .orderBy(desc(accountEvents.at), desc(accountEvents.id))
    .limit(limit);
}

/** The newest `perAccount` events of each of `emails`, newest first, keyed by email. */
export async function latestAccountEvents(db: DbOrTx, emails: string[], perAccount: number): Promise<Map<string, AccountEventRow[]>> {
  const out = new Map<string, AccountEventRow[]>(emails.map((e) => [e, []]));
  if (emails.length === 0 || perAccount <= 0) return out;
  // A lateral join walks account_events_email_idx backwards once per account instead of reading every event.
  const result = await db.execute<{
    id: string;
    email: string;
    at: Date | string;
    kind: string;
    from_state: string | null;
    to_state: string | null;
    reason: string | null;
    until: Date | string | null;
  }>(sql`
    select e.* from unnest(${sql.param(emails)}::text[]) as a(email)
    cross join lateral (
      select * from ${accountEvents} ev where ev.email = a.email order by ev.at desc, ev.id desc limit ${perAccount}
    ) e
    order by e.email, e.at desc, e.id desc`);
  for (const r of result.rows) {
    out.get(r.email)?.push({
      id: Number(r.id),
      email: r.email,
      at: new Date(r.at),
      kind: r.kind,
      fromState: r.from_state,
      toState: r.to_state,
      reason: r.reason,
      until: r.until === null ? null : new Date(r.until),
    });
  }
  return out;
}
