import { wakeWaitingJobs } from '@flowq/queue';
import { NotFoundError, ConflictError, ServiceUnavailableError } from '@flowq/core';
import {
  accountOutcomeStats,
  changeAccount,
  countActiveJobsOn,
  deleteAccount,
  findAccount,
  insertAccount,
  latestAccountEvents,
  listAccountEvents,
  listAccounts,
  type AccountChangeDecision,
  type AccountEventRow,
  type AccountOutcomeStats,
  type AccountRow,
} from '@flowq/db';
import { createAccountSlots, type SlotUsage } from '@flowq/scheduler';
import type { UpstreamAccount } from '@flowq/useapi-client';
import type { ApiDeps } from '../deps';
import {
  coolOffDecision,
  drainDecision,
  editDecision,
  liftCoolOffDecision,
  readdDecision,
  type AccountEdit,
  type AccountSettings,
} from './account-admin-decisions';
import { accountToAdd, missingDecision, syncDecision } from './account-sync-plan';

/** An account with what is happening on it now: Redis slots, outcome counts, its latest events. */
export interface AccountDetails {
  row: AccountRow;
  /** Null when Redis did not answer: the stored record is still worth showing. */
  live: Omit<SlotUsage, 'email'> | null;
  stats: AccountOutcomeStats;
  events: AccountEventRow[];
}

export interface SyncSummary {
  added: string[];
  updated: string[];
  /** useapi says their session is not OK. */
  unhealthy: string[];
  /** In flowq but not at useapi: jobs given to them would fail. */
  notAtUseapi: string[];
  accounts: AccountDetails[];
}

/** Events shown per account in the list; one account's own page shows up to EVENTS_PER_ACCOUNT. */
const EVENTS_IN_LIST = 5;
const EVENTS_PER_ACCOUNT = 100;
/** useapi allows 50 accounts per subscription; a few reads at a time are plenty. */
const SYNC_READS_AT_ONCE = 4;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * The account pool as admins see and steer it. Every change is written with its event in one
 * transaction and logged once, here, after it commits.
 */
export function createAccountService({ config, database, redis, logger, client }: ApiDeps) {
  const { db } = database;
  const slots = createAccountSlots(redis, { prefix: config.redis.prefix });
  const log = logger.child({ component: 'accounts' });
  // Jobs parked for want of an account look again at once (a re-added account, a lifted cool-off).
  const wakeWaiting = () => wakeWaitingJobs(redis, config.redis.prefix).catch(() => undefined);

  async function liveUsage(emails: string[]): Promise<Map<string, SlotUsage>> {
    try {
      return new Map((await slots.snapshot(emails)).map((u) => [u.email, u]));
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'account slots unreadable; listing without live figures');
      return new Map();
    }
  }

  async function details(rows: AccountRow[], eventsPerAccount: number): Promise<AccountDetails[]> {
    const emails = rows.map((r) => r.email);
    const [live, stats, events] = await Promise.all([
      liveUsage(emails),
      accountOutcomeStats(db, emails),
      eventsPerAccount === EVENTS_IN_LIST
        ? latestAccountEvents(db, emails, eventsPerAccount)
        : Promise.all(emails.map(async (e) => [e, await listAccountEvents(db, e, eventsPerAccount)] as const)).then((p) => new Map(p)),
    ]);
    return rows.map((row) => {
      const usage = live.get(row.email);
      return {
        row,
        live: usage ? { running: usage.running, submittedLastMinute: usage.submittedLastMinute, workingLimit: usage.workingLimit } : null,
        stats: stats.get(row.email)!,
        events: events.get(row.email) ?? [],
      };
    });
  }

  async function one(row: AccountRow): Promise<AccountDetails> {
    return (await details([row], EVENTS_PER_ACCOUNT))[0]!;
  }

  async function change(email: string, decide: (current: AccountRow) => AccountChangeDecision): Promise<{ row: AccountRow; changed: boolean }> {
    const result = await changeAccount(db, email, decide);
    if (result.kind === 'not_found') throw new NotFoundError(`Account ${email} not found`);
    if (result.kind === 'unchanged') return { row: result.row, changed: false };
    const { before, after } = result;
    const entry = { account: after.email, state: after.state, from: before.state, reason: after.stateReason };
    if (before.state !== after.state && (after.state === 'needs_reauth' || after.state === 'cooling')) log.warn(entry, 'account state changed');
    else log.info({ ...entry, draining: after.draining }, 'account changed');
    await wakeWaiting();
    return { row: after, changed: true };
  }

  /** Jobs on the account by either count: Redis leases (the scheduler's) or Postgres rows between submit and end. */
  async function runningOn(email: string): Promise<number> {
    const [leases, rows] = await Promise.all([
      slots.running(email).catch((err: Error) => {
        throw new ServiceUnavailableError('queue_unavailable', `Cannot read the account's running jobs from Redis: ${err.message}`);
      }),
      countActiveJobsOn(db, email),
    ]);
    return Math.max(leases, rows);
  }

  async function sync(): Promise<SyncSummary> {
    const listed = await client.listAccounts();
    if (!listed.ok) {
      throw new ServiceUnavailableError('service_unavailable', `useapi GET /accounts failed (${listed.status}): ${listed.error.message}`);
    }
    const upstream = await mapLimit(listed.data, SYNC_READS_AT_ONCE, async (summary): Promise<UpstreamAccount> => {
      const answer = await client.getAccount(summary.email);
      if (answer.ok) return answer.data;
      log.warn(
        { account: summary.email, status: answer.status, err: answer.error.message },
        'useapi GET /accounts/{email} failed; syncing from the list entry',
      );
      return summary;
    });
    const summary: Omit<SyncSummary, 'accounts'> = { added: [], updated: [], unhealthy: [], notAtUseapi: [] };
    for (const u of upstream) {
      const email = u.email.toLowerCase();
      if (!u.healthy) summary.unhealthy.push(email);
      const add = accountToAdd(u);
      const added = await insertAccount(db, add, {
        kind: 'added',
        reason: u.healthy ? 'found at useapi by sync' : `found at useapi by sync; health: ${add.stateReason}`,
      });
      if (added) {
        summary.added.push(email);
        log.info({ account: email, state: added.state, tier: added.tier, reason: added.stateReason }, 'account added by sync');
        continue;
      }
      const { changed } = await change(email, (current) => syncDecision(current, u));
      if (changed) summary.updated.push(email);
    }
    const known = new Set(upstream.map((u) => u.email.toLowerCase()));
    summary.notAtUseapi = (await listAccounts(db)).filter((r) => !known.has(r.email)).map((r) => r.email);
    if (summary.notAtUseapi.length) log.warn({ accounts: summary.notAtUseapi }, 'accounts in flowq that useapi does not have: missing, out of the pool');
    for (const email of summary.notAtUseapi) await change(email, missingDecision);
    return { ...summary, accounts: await details(await listAccounts(db), EVENTS_IN_LIST) };
  }

  return {
    async list(): Promise<AccountDetails[]> {
      return details(await listAccounts(db), EVENTS_IN_LIST);
    },

    async get(email: string): Promise<AccountDetails> {
      const row = await findAccount(db, email);
      if (!row) throw new NotFoundError(`Account ${email} not found`);
      return one(row);
    },

    /** 201 when new; 200 when it brings back an account in `needs_reauth` or calls off its drain; 409 otherwise. */
    async add(input: AccountSettings & { email: string }): Promise<{ created: boolean; account: AccountDetails }> {
      const { email: given, ...settings } = input;
      const email = given.toLowerCase();
      const row = await insertAccount(db, { email, ...settings }, { kind: 'added', reason: 'added by an admin' });
      if (row) {
        log.info({ account: email, state: row.state, tier: row.tier }, 'account added');
        await wakeWaiting();
        return { created: true, account: await one(row) };
      }
      const after = await change(email, (current) => readdDecision(current, settings)).catch((err: unknown) => {
        if (err instanceof NotFoundError) throw new ConflictError(`Account ${email} was removed meanwhile; try again`, 'email');
        throw err;
      });
      return { created: false, account: await one(after.row) };
    },

    async update(email: string, edit: AccountEdit): Promise<AccountDetails> {
      return one((await change(email, (current) => editDecision(current, edit))).row);
    },

    async coolOff(email: string, minutes: number, reason: string, now = new Date()): Promise<AccountDetails> {
      const until = new Date(now.getTime() + minutes * 60_000);
      return one((await change(email, (current) => coolOffDecision(current, until, reason))).row);
    },

    async liftCoolOff(email: string): Promise<AccountDetails> {
      return one((await change(email, liftCoolOffDecision)).row);
    },

    /**
     * Removes an idle account now. One that runs jobs is refused, or with `drain` stops taking
     * new ones and is removed by the worker once they end.
     */
    async remove(email: string, drain: boolean): Promise<{ removed: true } | { removed: false; account: AccountDetails }> {
      const row = await findAccount(db, email);
      if (!row) throw new NotFoundError(`Account ${email} not found`);
      const running = await runningOn(row.email);
      if (running === 0) {
        if (!(await deleteAccount(db, row.email, 'removed by an admin'))) throw new NotFoundError(`Account ${email} not found`);
        log.info({ account: row.email, state: row.state }, 'account removed');
        return { removed: true };
      }
      if (!drain) {
        throw new ConflictError(`Account ${row.email} runs ${running} job(s); DELETE with ?drain=true to stop giving it jobs and remove it when they end`);
      }
      const { row: draining } = await change(row.email, (current) => drainDecision(current, running));
      return { removed: false, account: await one(draining) };
    },

    sync,
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
