import { Gauge, type Registry } from 'prom-client';

export const ACCOUNT_STATES = ['active', 'cooling', 'needs_reauth', 'no_credits', 'disabled', 'missing'] as const;

/** What the system looks like now, read from Postgres and Redis (see the API's world-figures.ts). */
export interface WorldFigures {
  jobs: { status: string; kind: 'single' | 'batch'; count: number }[];
  accounts: {
    email: string;
    state: string;
    tier: string;
    running: number | null;
    maxConcurrent: number;
    submittedLastMinute: number | null;
    maxPerMinute: number;
    throttledRecently: number;
    coolingUntil: Date | null;
    remainingCredits: number | null;
    draining: boolean;
  }[];
  waitingRoom: number;
  queue: Record<string, number>;
  creditsByModel: { model: string; credits: number }[];
}

/**
 * Gauges of the system's state, filled at scrape time from `read` (which the caller caches:
 * Prometheus, a dashboard and the console may all ask at once). When the read fails (Postgres
 * or Redis away), `flowq_figures_up` says 0 and the other gauges are left out of that scrape.
 */
export function registerWorldGauges(registry: Registry, read: () => Promise<WorldFigures>): void {
  const registers = [registry];
  // prom-client collects all gauges at once; each asks `read`, which the caller caches, so one scrape reads once.
  const figures = () =>
    read().then(
      (w) => w,
      () => null,
    );
  new Gauge({
    name: 'flowq_figures_up',
    help: '1 when the last read of jobs, accounts and queue from Postgres and Redis succeeded',
    registers,
    async collect() {
      this.set((await figures()) ? 1 : 0);
    },
  });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, w: WorldFigures) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        const current = await figures();
        if (current) fill(this, current);
      },
    });
  gauge('flowq_jobs', 'Jobs by status and kind (single job or batch row)', ['status', 'kind'], (g, w) => {
    for (const j of w.jobs) g.set({ status: j.status, kind: j.kind }, j.count);
  });
  gauge('flowq_account_state', '1 for the state each account is in', ['account', 'state'], (g, w) => {
    for (const a of w.accounts) for (const s of ACCOUNT_STATES) g.set({ account: a.email, state: s }, a.state === s ? 1 : 0);
  });
  gauge('flowq_account_draining', '1 while an account takes no new jobs before its removal', ['account'], (g, w) => {
    for (const a of w.accounts) g.set({ account: a.email }, a.draining ? 1 : 0);
  });
  gauge('flowq_account_slots_in_use', 'Generations running on an account now (its leases)', ['account'], (g, w) => {
    for (const a of w.accounts) if (a.running !== null) g.set({ account: a.email }, a.running);
  });
  gauge('flowq_account_slots_limit', 'Generations an account may run at once', ['account'], (g, w) => {
    for (const a of w.accounts) g.set({ account: a.email }, a.maxConcurrent);
  });
  gauge('flowq_account_submissions_last_minute', 'Submissions to an account over the last 60 s', ['account'], (g, w) => {
    for (const a of w.accounts) if (a.submittedLastMinute !== null) g.set({ account: a.email }, a.submittedLastMinute);
  });
  gauge('flowq_account_submissions_per_minute_limit', 'Submissions an account may take per minute', ['account'], (g, w) => {
    for (const a of w.accounts) g.set({ account: a.email }, a.maxPerMinute);
  });
  gauge('flowq_account_throttled_15m', 'Submissions answered 429 over the last 15 minutes', ['account'], (g, w) => {
    for (const a of w.accounts) g.set({ account: a.email }, a.throttledRecently);
  });
  gauge('flowq_account_cooling_until_seconds', 'Unix time an account cools off until (0: not cooling)', ['account'], (g, w) => {
    for (const a of w.accounts) g.set({ account: a.email }, a.coolingUntil ? a.coolingUntil.getTime() / 1000 : 0);
  });
  gauge('flowq_account_remaining_credits', 'Credits left on an account, as last reported by useapi', ['account'], (g, w) => {
    for (const a of w.accounts) if (a.remainingCredits !== null) g.set({ account: a.email }, a.remainingCredits);
  });
  gauge('flowq_waiting_room_jobs', 'Jobs parked until an account frees a slot', [], (g, w) => {
    g.set(w.waitingRoom);
  });
  gauge('flowq_queue_jobs', 'BullMQ generate queue jobs by state', ['state'], (g, w) => {
    for (const [state, n] of Object.entries(w.queue)) g.set({ state }, n);
  });
  gauge('flowq_credits_spent', 'Credits spent on succeeded jobs, by model (from Postgres; only grows)', ['model'], (g, w) => {
    for (const c of w.creditsByModel) g.set({ model: c.model }, c.credits);
  });
}
