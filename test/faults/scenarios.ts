import { setTimeout as sleep } from 'node:timers/promises';
import { accountEvents, jobs } from '@flowq/db';
import type { SubmitFaultKind } from '@flowq/flow-simulator';
import { ARCHIVE_QUEUE, callbackPath, GENERATE_QUEUE } from '@flowq/queue';
import { waitFor } from '@flowq/testing';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { startFaultSystem, type FaultSystem } from './fault-harness';
import { duplicatedSubmissions, expectedEnd, maxRequestsPerJob, requestsByPrompt, retriesOf, type ScenarioReport } from './fault-metrics';
import type { FaultScale } from './fault-scale';

const ACCOUNTS = [
  { email: 'fault-1@flowq.test', tier: 'ultra' as const },
  { email: 'fault-2@flowq.test', tier: 'pro' as const },
  { email: 'fault-3@flowq.test', tier: 'pro' as const },
  { email: 'fault-4@flowq.test', tier: 'pro' as const },
];
const SLOTS = 4;
const TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** A seeded source, so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Feed {
  /** Job ids the API accepted (2xx), by prompt. */
  accepted: Map<string, string>;
  /** Answers of every POST /v1/jobs, by status and error code, with the phase it fell in. */
  answers: { status: number; code?: string; phase: string }[];
  done: Promise<void>;
}

/**
 * Posts `count` jobs evenly over `feedMs`, as a client would: a 5xx or 429 is tried again
 * (with a fresh prompt, so a job the API committed but could not confirm is never confused
 * with the retry) until the API accepts.
 */
function feed(
  sys: FaultSystem,
  count: number,
  feedMs: number,
  promptOf: (i: number, tryNo: number) => string,
  phase: () => string,
  /** Until this resolves, keep posting (past `count`) at the same pace, so every outage meets new jobs. */
  until: Promise<void> = Promise.resolve(),
): Feed {
  const accepted = new Map<string, string>();
  const answers: Feed['answers'] = [];
  const started = Date.now();
  let more = true;
  void until.then(() => (more = false));
  const done = (async () => {
    for (let i = 0; i < count || more; i++) {
      const due = started + (i * feedMs) / count;
      if (due > Date.now()) await sleep(due - Date.now());
      for (let tryNo = 0; ; tryNo++) {
        const prompt = promptOf(i, tryNo);
        const at = phase();
        try {
          const res = await sys.post('/v1/jobs', { prompt });
          const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
          answers.push({ status: res.status, ...(body.error?.code ? { code: body.error.code } : {}), phase: phaseOf(at, phase()) });
          if (res.status >= 200 && res.status < 300 && body.id) {
            accepted.set(prompt, body.id);
            break;
          }
          if (res.status < 500 && res.status !== 429) throw new Error(`POST /v1/jobs answered ${res.status}: ${JSON.stringify(body)}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('POST /v1/jobs answered')) throw err;
          answers.push({ status: 0, phase: phaseOf(at, phase()) });
        }
        await sleep(250);
      }
    }
  })();
  return { accepted, answers, done };
}

/**
 * The phase an answer belongs to: a request sent during an outage whose answer comes back after
 * it ended (the API waited for Postgres and got it back) met both, and is judged by neither.
 */
function phaseOf(sentIn: string, answeredIn: string): string {
  return sentIn === answeredIn ? sentIn : `${sentIn} -> ${answeredIn}`;
}

/** While `phase()` stays `during`, posts one job every 300 ms (no retry), recording each answer in `into`. */
async function postDuring(sys: FaultSystem, during: string, phase: () => string, into: Feed): Promise<void> {
  for (let n = 0; phase() === during; n++) {
    const prompt = `crash during ${during} ${n}`;
    try {
      const res = await sys.post('/v1/jobs', { prompt });
      const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
      into.answers.push({ status: res.status, ...(body.error?.code ? { code: body.error.code } : {}), phase: phaseOf(during, phase()) });
      if (res.status >= 200 && res.status < 300 && body.id) into.accepted.set(prompt, body.id);
    } catch {
      into.answers.push({ status: 0, phase: phaseOf(during, phase()) });
    }
    await sleep(300);
  }
}

async function unfinishedJobs(sys: FaultSystem): Promise<{ id: string; status: string }[]> {
  return sys.db.db
    .select({ id: jobs.id, status: jobs.status })
    .from(jobs)
    .where(inArray(jobs.status, ['queued', 'submitting', 'running', 'archiving']));
}

/**
 * How many unfinished rows have no BullMQ job in Redis (read directly, not through the proxy):
 * an `archiving` row's job is on the archive queue, every other one's on the generate queue.
 */
async function missingFromQueue(sys: FaultSystem, rows: { id: string; status: string }[]): Promise<number> {
  if (rows.length === 0) return 0;
  const pipeline = sys.redis.redis.pipeline();
  for (const r of rows) pipeline.exists(`${sys.redis.prefix}:${r.status === 'archiving' ? ARCHIVE_QUEUE : GENERATE_QUEUE}:${r.id}`);
  const answers = (await pipeline.exec()) ?? [];
  return answers.filter(([, n]) => n !== 1).length;
}

async function statusCounts(sys: FaultSystem): Promise<Record<string, number>> {
  const rows = await sys.db.db.select({ status: jobs.status, n: sql<number>`count(*)::int` }).from(jobs).groupBy(jobs.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function attemptOutcomes(sys: FaultSystem): Promise<Record<string, number>> {
  const rows = await sys.db.db.execute<{ outcome: string; n: number }>(
    sql`select outcome, count(*)::int as n from job_attempts where kind = 'submit' and (outcome like 'adopted%' or outcome like 'lost%' or outcome = 'pending') group by outcome`,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.outcome, r.n]));
}

async function drain(sys: FaultSystem, timeoutMs: number, what: string): Promise<void> {
  try {
    await waitFor(async () => (await unfinishedJobs(sys)).length === 0, { timeoutMs, intervalMs: 250, what });
  } catch (err) {
    const stuck = await sys.db.db
      .select()
      .from(jobs)
      .where(inArray(jobs.status, ['queued', 'submitting', 'running', 'archiving']));
    const base = `${sys.redis.prefix}:${GENERATE_QUEUE}`;
    const where = await Promise.all(
      stuck.map(async (j) => {
        const hash = await sys.redis.redis.hgetall(`${base}:${j.id}`);
        const [prio, delayed, wait, active] = await Promise.all([
          sys.redis.redis.zscore(`${base}:prioritized`, j.id),
          sys.redis.redis.zscore(`${base}:delayed`, j.id),
          sys.redis.redis.lpos(`${base}:wait`, j.id),
          sys.redis.redis.lpos(`${base}:active`, j.id),
        ]);
        return {
          id: j.id,
          status: j.status,
          updatedAt: j.updatedAt,
          bull: { prio, delayed, wait, active, hash: Object.keys(hash).length ? { ...hash, data: undefined } : null },
        };
      }),
    );
    throw new Error(
      `${(err as Error).message}\nstatuses: ${JSON.stringify(await statusCounts(sys))}\nstuck: ${JSON.stringify(where)}\n${sys.workers.output().slice(-3000)}`,
    );
  }
}

/**
 * Crashes and outages while jobs flow: worker processes SIGKILLed at random moments and
 * respawned, Redis wiped, Redis cut, Postgres cut; meanwhile useapi's callbacks are dropped,
 * duplicated, often overtake the submit's answer (useapi's answers are delayed on the way
 * back), and stale or premature callbacks are replayed. Every job must end succeeded, once paid.
 */
export async function runCrashScenario(scale: FaultScale): Promise<ScenarioReport> {
  const s = scale.crash;
  const random = rng(20251120);
  const sys = await startFaultSystem('faults-crash', {
    sim: {
      accounts: ACCOUNTS,
      maxConcurrentPerAccount: SLOTS,
      generationMs: { min: 100, max: 400 },
      startDelayMs: 20,
      callbacks: { dropRate: 0.25, duplicate: true },
    },
    // Archiving under kills has its own scenario (archive-faults.ts); here the generation path is measured.
    env: { ACCOUNT_MAX_CONCURRENT: String(SLOTS) },
    workerCount: 3,
    useapiResponseDelayMs: 150,
  });
  try {
    let phase = 'normal';
    const started = Date.now();
    // Printed as the run goes, so a run that hangs shows where.
    const mark = (what: string) => console.log(`[crash scenario +${Date.now() - started} ms] ${what}`);
    let faultsOver!: () => void;
    const feeding = feed(
      sys,
      s.jobs,
      s.feedMs,
      (i, t) => `crash ${i}.${t}`,
      () => phase,
      new Promise<void>((r) => (faultsOver = r)),
    );
    const faults: Record<string, number> = { 'kill -9': 0, 'redis wipe': 0, 'redis cut': 0, 'postgres cut': 0, 'stale callbacks': 0 };
    const notes: Record<string, number | string> = {};

    // Stale and premature callbacks, with the right secret: a late `started` after the end, a
    // `completed` claimed while the job still runs. Hints only: neither may change a job.
    let replaying = true;
    const replayer = (async () => {
      while (replaying) {
        await sleep(200);
        if (phase === 'postgres cut') continue;
        const [row] = await sys.db.db
          .select({ id: jobs.id, secret: jobs.callbackSecret, status: jobs.status, upstream: jobs.upstreamJobId })
          .from(jobs)
          .where(inArray(jobs.status, ['running', 'succeeded']))
          .orderBy(sql`random()`)
          .limit(1)
          .catch(() => []);
        if (!row?.upstream) continue;
        const status = row.status === 'succeeded' ? 'started' : 'completed';
        await fetch(`${sys.api.address}${callbackPath(row.id, row.secret)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jobid: row.upstream, status, created: new Date().toISOString(), request: { replyRef: 'att_stale' } }),
        }).catch(() => undefined);
        faults['stale callbacks']!++;
      }
    })();

    // kill -9 at random moments around a steady beat, each worker respawned at once.
    for (let k = 1; k <= s.kills; k++) {
      const at = started + k * s.killEveryMs + Math.floor((random() - 0.5) * s.killEveryMs * 0.8);
      if (at > Date.now()) await sleep(at - Date.now());
      const victim = Math.floor(random() * sys.workers.children.length);
      mark(`kill -9 worker ${victim}`);
      await sys.workers.kill(victim);
      sys.workers.respawn(victim);
      faults['kill -9']!++;
    }

    // Redis loses everything flowq put there; measure how long until every unfinished job is queued again.
    await sleep(500);
    faults['redis wipe'] = 1;
    mark('redis wipe');
    const wipedAt = Date.now();
    notes['keys wiped'] = await sys.wipeRedis();
    const afterWipe = await unfinishedJobs(sys);
    notes['unfinished at wipe'] = afterWipe.length;
    await waitFor(async () => (await missingFromQueue(sys, await unfinishedJobs(sys))) === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'every unfinished job back in the queue after the wipe',
    });
    notes['requeued after wipe ms'] = Date.now() - wipedAt;

    await sleep(1_000);
    mark('redis requeued; redis cut');
    phase = 'redis cut';
    faults['redis cut'] = 1;
    sys.proxies.redis.cut();
    const duringRedisCut = postDuring(sys, 'redis cut', () => phase, feeding);
    await sleep(s.cutMs);
    sys.proxies.redis.restore();
    phase = 'normal';
    await duringRedisCut;

    await sleep(2_000);
    mark('postgres cut');
    phase = 'postgres cut';
    faults['postgres cut'] = 1;
    sys.proxies.pg.cut();
    const duringPgCut = postDuring(sys, 'postgres cut', () => phase, feeding);
    await sleep(s.cutMs);
    sys.proxies.pg.restore();
    phase = 'normal';
    await duringPgCut;
    const restoredAt = Date.now();
    faultsOver();
    mark(`postgres restored; ${feeding.accepted.size} jobs accepted`);

    await feeding.done;
    mark(`feed done; ${feeding.accepted.size} jobs accepted; draining`);
    // A liveness bound, generous for a loaded CI machine; the time it took is reported.
    await drain(sys, 120_000 + s.cutMs, 'every job to end after the faults');
    notes['drained after the last fault ms'] = Date.now() - restoredAt;
    // A slow drain is a stall somewhere: the last jobs to end, with their attempts and files, say where.
    if (Date.now() - restoredAt > 30_000) console.log(`slow drain after the faults:\n${await lastJobsToEnd(sys, 3)}`);
    replaying = false;
    await replayer;
    await sys.sim.drainCallbacks();
    mark('drained');

    const callbacks = sys.sim.log.callbacks();
    faults['callbacks dropped'] = callbacks.filter((c) => c.outcome === 'dropped').length;
    faults['callbacks duplicated'] = Math.floor(callbacks.filter((c) => c.outcome !== 'dropped').length / 2);
    const entries = sys.sim.log.entries();
    const firstPaid = new Map(entries.filter((e) => e.status === 201 && e.jobid).map((e) => [e.jobid!, e.at]));
    // Sent before the 201 reached the worker (answers travel back 150 ms late).
    faults['callbacks before the answer'] = callbacks.filter((c) => c.outcome === 'sent' && (firstPaid.get(c.jobid) ?? 0) + 150 > c.at).length;

    const byPrompt = requestsByPrompt(entries);
    const dup = duplicatedSubmissions(byPrompt);
    const statuses = await statusCounts(sys);
    const acceptedIds = [...feeding.accepted.values()];
    const succeeded = await sys.db.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(inArray(jobs.id, acceptedIds), eq(jobs.status, 'succeeded')));
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const terminal = TERMINAL.reduce((a, k) => a + (statuses[k] ?? 0), 0);
    const lost = acceptedIds.length - succeeded.length + (total - terminal);
    const byPhase = (p: string, status: number) => feeding.answers.filter((a) => a.phase === p && a.status === status).length;
    const answersIn = (p: string) =>
      JSON.stringify(
        feeding.answers
          .filter((a) => a.phase === p)
          .reduce<Record<string, number>>(
            (o, a) => ({ ...o, [`${a.status}${a.code ? ` ${a.code}` : ''}`]: (o[`${a.status}${a.code ? ` ${a.code}` : ''}`] ?? 0) + 1 }),
            {},
          ),
      );
    Object.assign(notes, {
      accepted: acceptedIds.length,
      rows: total,
      statuses: JSON.stringify(statuses),
      '202 while redis cut': byPhase('redis cut', 202),
      'answers while redis cut': answersIn('redis cut'),
      '503 while postgres cut': byPhase('postgres cut', 503),
      'answers while postgres cut': answersIn('postgres cut'),
      'other answers while postgres cut': feeding.answers.filter((a) => a.phase === 'postgres cut' && a.status !== 503).length,
      'answers across the end of a cut': answersIn('postgres cut -> normal'),
      '503 other than database_unavailable': feeding.answers.filter((a) => a.status === 503 && a.code !== 'database_unavailable').length,
      '500 answers': feeding.answers.filter((a) => a.status === 500).length,
      'over-limit 429s': sys.sim.log.overSubmission429s(),
      'ambiguous submissions': JSON.stringify(await attemptOutcomes(sys)),
      'duplicated prompts': dup.prompts.slice(0, 5).join(' / '),
      'run ms': Date.now() - started,
    });
    return {
      scenario: `crash (${scale.name})`,
      faults,
      jobs: total,
      lost,
      duplicatedSubmissions: dup.total,
      retries: retriesOf(byPrompt),
      maxRequestsPerJob: maxRequestsPerJob(byPrompt),
      notes,
    };
  } finally {
    await sys.stop();
  }
}

/** Share of submissions answered with each fault: a real day's mix (useapi's stats page), rounded to what the spec asks. */
const MIX: [SubmitFaultKind, number][] = [
  ['throttled', 0.25],
  // In 2026 useapi's 403s are mostly reCAPTCHA tokens Google refused (`captcha_quality:`): retried on another account.
  ['captcha-quality', 0.25],
  ['internal', 0.03],
  ['unavailable', 0.02],
];
const UNSAFE_SHARE = 0.06;
const COOL_OFF_MS = 3_000;
const MAX_ATTEMPTS = 3;
/** How old the worker's cached view of the accounts may be (account-pool-snapshot). */
const POOL_CACHE_MS = 250;
/** How long after a cool-off is written every worker must have stopped choosing the account. */
const PROPAGATION_MS = 1_000;

/**
 * The day's mix of upstream answers: about a quarter 429s, a quarter 403s, some 400s (unsafe
 * prompts) and 5xx. Every job must end as its answers say, without hot loops, and throttled
 * accounts must cool off for the configured time and get no submissions meanwhile.
 */
export async function runMixScenario(scale: FaultScale): Promise<ScenarioReport> {
  const m = scale.mix;
  const random = rng(424242);
  const sys = await startFaultSystem('faults-mix', {
    sim: { accounts: ACCOUNTS, maxConcurrentPerAccount: SLOTS, generationMs: { min: 100, max: 400 }, startDelayMs: 20 },
    env: {
      ACCOUNT_MAX_CONCURRENT: String(SLOTS),
      MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      COOLDOWN_AFTER_429S: '3',
      COOLDOWN_WINDOW_MINUTES: '10',
      COOLDOWN_DURATION_MINUTES: String(COOL_OFF_MS / 60_000),
    },
    workerCount: 2,
  });
  try {
    const started = Date.now();
    const rate = MIX.reduce((a, [, p]) => a + p, 0);
    const injected: Record<string, number> = Object.fromEntries(MIX.map(([k]) => [k, 0]));
    let armed = 0;
    let arming = true;
    // Keeps the armed faults at `rate` of the submissions seen, so they spread over the run.
    const armer = (async () => {
      while (arming) {
        const seen = sys.sim.log.submissions().length;
        while (armed < rate * (seen + 1)) {
          let r = random() * rate;
          const kind = MIX.find(([, p]) => (r -= p) < 0)?.[0] ?? 'throttled';
          // A Retry-After shorter than the configured cool-off, so the cool-off length checked below is flowq's own.
          sys.sim.faults.failNextSubmits({ kind, retryAfterSec: 1 });
          injected[kind]!++;
          armed++;
        }
        await sleep(10);
      }
    })();
    const unsafe = new Set<number>();
    for (let i = 0; i < m.jobs; i++) if (random() < UNSAFE_SHARE) unsafe.add(i);
    const feeding = feed(
      sys,
      m.jobs,
      m.feedMs,
      (i, t) => `mix ${i}.${t}${unsafe.has(i) ? ' [[unsafe]]' : ''}`,
      () => 'normal',
    );
    await feeding.done;
    await drain(sys, 120_000, 'every job of the mix to end');
    arming = false;
    await armer;
    const leftArmed = sys.sim.faults.pendingSubmitFaults().length;

    const entries = sys.sim.log.entries();
    const byPrompt = requestsByPrompt(entries);
    const rows = await sys.db.db.select({ id: jobs.id, status: jobs.status, error: jobs.error, request: jobs.request }).from(jobs);
    let wrong = 0;
    const wrongSamples: string[] = [];
    for (const row of rows) {
      const submits = (byPrompt.get(row.request.prompt) ?? []).filter((e) => e.method === 'POST');
      const expected = expectedEnd(submits, MAX_ATTEMPTS);
      const ok =
        expected !== null &&
        row.status === expected.status &&
        (expected.status === 'succeeded' || (row.error as { code?: string } | null)?.code === expected.code);
      if (!ok) {
        wrong++;
        if (wrongSamples.length < 3)
          wrongSamples.push(
            `${row.request.prompt}: ${row.status}/${(row.error as { code?: string } | null)?.code} vs ${JSON.stringify(expected)} after ${submits.map((e) => e.status).join(',')}`,
          );
      }
    }
    const events = await sys.db.db.select().from(accountEvents).where(eq(accountEvents.kind, 'cooled_off'));
    const coolOffLengths = events.map((e) => (e.until ? e.until.getTime() - e.at.getTime() : 0));
    // A submit whose account was chosen before the cool-off was written may still arrive during it.
    // One begun (its attempt recorded) after the cool-off plus the pool cache's age may not.
    const begun = new Map(
      (await sys.db.db.execute<{ id: string; started_at: Date }>(sql`select id, started_at from job_attempts where kind = 'submit'`)).rows.map((a) => [
        a.id,
        new Date(a.started_at).getTime(),
      ]),
    );
    const intoCoolOff = (lagMs: number) =>
      events.reduce(
        (n, e) =>
          n +
          entries.filter(
            (x) =>
              x.method === 'POST' && x.email === e.email && e.until && x.at < e.until.getTime() && (begun.get(x.replyRef ?? '') ?? 0) > e.at.getTime() + lagMs,
          ).length,
        0,
      );
    const dup = duplicatedSubmissions(byPrompt);
    const statuses = await statusCounts(sys);
    const terminal = TERMINAL.reduce((a, k) => a + (statuses[k] ?? 0), 0);
    const answered = sys.sim.log.countByStatus({ method: 'POST' });
    const injectedAnswers = (status: number) => entries.filter((e) => e.method === 'POST' && e.cause === 'injected' && e.status === status).length;
    return {
      scenario: `upstream mix (${scale.name})`,
      // Counted from what the simulator answered, not from what was armed.
      faults: {
        '429': injectedAnswers(429),
        '403': injectedAnswers(403),
        '400': entries.filter((e) => e.method === 'POST' && e.status === 400).length,
        '500': injectedAnswers(500),
        '503': injectedAnswers(503),
      },
      jobs: rows.length,
      lost: rows.length - terminal + (feeding.accepted.size - rows.filter((r) => feeding.accepted.has(r.request.prompt)).length),
      duplicatedSubmissions: dup.total,
      retries: retriesOf(byPrompt),
      maxRequestsPerJob: maxRequestsPerJob(byPrompt),
      notes: {
        'wrong end state': wrong,
        'wrong samples': wrongSamples.join(' | '),
        statuses: JSON.stringify(statuses),
        'submit answers': JSON.stringify(answered),
        'faults left armed': leftArmed,
        'cool-offs': events.length,
        'cool-off ms min': coolOffLengths.length ? Math.min(...coolOffLengths) : 0,
        'cool-off ms max': coolOffLengths.length ? Math.max(...coolOffLengths) : 0,
        // Workers see account changes through a 250 ms cache, later under load: allowed a second.
        'submits into a cool-off': intoCoolOff(PROPAGATION_MS),
        'submits into a cool-off, begun 300 ms after it': intoCoolOff(POOL_CACHE_MS + 50),
        'run ms': Date.now() - started,
      },
    };
  } finally {
    await sys.stop();
  }
}

export const MIX_COOL_OFF_MS = COOL_OFF_MS;
export const MIX_PROPAGATION_MS = PROPAGATION_MS;

/** The `n` jobs that ended last (or not at all), their attempts and their media files, as JSON lines. */
async function lastJobsToEnd(sys: FaultSystem, n: number): Promise<string> {
  const last = await sys.db.db.execute(
    sql`select id, status, account, created_at, updated_at, completed_at from jobs order by completed_at desc nulls first limit ${n}`,
  );
  const ids = sql.join(
    last.rows.map((r) => sql`${(r as { id: string }).id}`),
    sql`, `,
  );
  const attempts = await sys.db.db.execute(
    sql`select job_id, kind, account, outcome, status_code, started_at, finished_at from job_attempts where job_id in (${ids}) order by id`,
  );
  const files = await sys.db.db.execute(sql`select id, status, attempts, error, archived_at from media_files where job_id in (${ids})`);
  return [last.rows, attempts.rows, files.rows].map((rows) => JSON.stringify(rows)).join('\n');
}
