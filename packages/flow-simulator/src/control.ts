import type { AccountStats } from './accounts';
import type { CallbackAttempt } from './callbacks';
import type { SubmitFault } from './faults';
import type { JobPlan } from './job-plan';
import type { SimJobStatus } from './job-store';
import type { AccountState, CallbackSettings, ResponseShape } from './options';
import type { LogFilter, RequestLogEntry } from './request-log';
import type { Simulator } from './simulator';

/** Fault injection, in process. The `/_sim` HTTP routes call the same methods. */
export interface FaultControls {
  /** Arms a fault for the next `fault.count` (default 1) submits matching `email`/`model`. */
  failNextSubmits(fault: SubmitFault): void;
  pendingSubmitFaults(): Array<SubmitFault & { remaining: number }>;
  clearSubmitFaults(): void;
  /** Persistent until changed. */
  setAccountState(email: string, state: AccountState): void;
  setCredits(email: string, credits: number): void;
  setMaxConcurrent(email: string, maxConcurrent: number): void;
  /** `POST /images` calls at once on the account. */
  setMaxConcurrentImages(email: string, maxConcurrentImages: number): void;
  /** While false, every API call answers 401. */
  setTokenValid(valid: boolean): void;
  setCallbacks(settings: Partial<CallbackSettings>): CallbackSettings;
  /** `GET /jobs/{jobid}` answers 410 from now on. */
  expireJob(jobid: string): boolean;
  expireAllJobs(): number;
  /** Every media URL signed so far answers 403, as after 24 h. */
  expireMediaUrls(): void;
  /** Shape of jobs accepted from now on. */
  setResponseShape(shape: ResponseShape): void;
  /** Disarms submit faults, restores the token, account states and limits, callbacks and shape as configured. Jobs, credits and the log stay. */
  reset(): void;
}

export interface LogView {
  entries(filter?: LogFilter): RequestLogEntry[];
  submissions(): RequestLogEntry[];
  submissionsFor(prompt: string): RequestLogEntry[];
  count(filter?: LogFilter): number;
  countByStatus(filter?: LogFilter): Record<number, number>;
  callbacks(): CallbackAttempt[];
  /** The most jobs ever executing at once on the account, or on any account when `email` is omitted. */
  maxObservedConcurrency(email?: string): number;
  /** 429s answered because the account was at its concurrency limit. */
  overSubmission429s(email?: string): number;
  /** The most `POST /images` calls ever in progress at once on the account, or on any account. */
  maxObservedImageConcurrency(email?: string): number;
  /** 429s answered because the account was at its image limit. */
  overImage429s(email?: string): number;
  /** 429s answered because a fault was injected. */
  injected429s(email?: string): number;
  accountStats(): AccountStats[];
  /** Clears entries, callback attempts and the counters above. */
  reset(): void;
}

export interface JobInspection {
  jobid: string;
  seq: number;
  email: string;
  /** An image job's status is `started` until its call ends. */
  status: SimJobStatus;
  expired: boolean;
  plan: JobPlan;
}

export function faultControls(sim: Simulator): FaultControls {
  const accountConfig = (email: string) => sim.options.accounts.find((a) => a.email === email);
  return {
    failNextSubmits: (fault) => {
      if (fault.email !== undefined) sim.accounts.require(fault.email);
      sim.submitFaults.arm(fault);
    },
    pendingSubmitFaults: () => sim.submitFaults.pending(),
    clearSubmitFaults: () => sim.submitFaults.clear(),
    setAccountState: (email, state) => {
      sim.accounts.require(email).state = state;
    },
    setCredits: (email, credits) => {
      sim.accounts.require(email).credits = credits;
    },
    setMaxConcurrent: (email, maxConcurrent) => {
      if (!Number.isInteger(maxConcurrent) || maxConcurrent < 0) throw new Error(`maxConcurrent must be an integer >= 0, got ${maxConcurrent}`);
      sim.accounts.require(email).maxConcurrent = maxConcurrent;
    },
    setMaxConcurrentImages: (email, maxConcurrentImages) => {
      if (!Number.isInteger(maxConcurrentImages) || maxConcurrentImages < 0)
        throw new Error(`maxConcurrentImages must be an integer >= 0, got ${maxConcurrentImages}`);
      sim.accounts.require(email).maxConcurrentImages = maxConcurrentImages;
    },
    setTokenValid: (valid) => {
      sim.tokenValid = valid;
    },
    setCallbacks: (settings) => {
      if (settings.dropRate !== undefined && (settings.dropRate < 0 || settings.dropRate > 1)) throw new Error('dropRate must be within 0..1');
      sim.callbacks.settings = { ...sim.callbacks.settings, ...settings };
      return { ...sim.callbacks.settings };
    },
    expireJob: (jobid) => sim.expireJob(jobid),
    expireAllJobs: () => sim.expireAllJobs(),
    expireMediaUrls: () => sim.signer.revokeAll(),
    setResponseShape: (shape) => {
      sim.responseShape = shape;
    },
    reset: () => {
      sim.submitFaults.clear();
      sim.tokenValid = true;
      for (const account of sim.accounts.list()) {
        const config = accountConfig(account.email);
        if (config) {
          account.state = config.state;
          account.maxConcurrent = config.maxConcurrent;
          account.maxConcurrentImages = config.maxConcurrentImages;
        }
      }
      sim.callbacks.settings = { ...sim.options.callbacks };
      sim.responseShape = sim.options.responseShape;
    },
  };
}

export function logView(sim: Simulator): LogView {
  const statsOf = (email?: string) =>
    sim.accounts
      .list()
      .filter((a) => email === undefined || a.email === email)
      .map((a) => sim.accounts.stats(a));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    entries: (filter) => sim.requestLog.entries(filter),
    submissions: () => sim.requestLog.submissions(),
    submissionsFor: (prompt) => sim.requestLog.submissionsFor(prompt),
    count: (filter) => sim.requestLog.count(filter),
    countByStatus: (filter) => sim.requestLog.countByStatus(filter),
    callbacks: () => [...sim.callbacks.attempts],
    maxObservedConcurrency: (email) => Math.max(0, ...statsOf(email).map((s) => s.maxObservedConcurrency)),
    overSubmission429s: (email) => sum(statsOf(email).map((s) => s.overSubmission429s)),
    maxObservedImageConcurrency: (email) => Math.max(0, ...statsOf(email).map((s) => s.maxObservedImageConcurrency)),
    overImage429s: (email) => sum(statsOf(email).map((s) => s.overImage429s)),
    injected429s: (email) => sum(statsOf(email).map((s) => s.injected429s)),
    accountStats: () => statsOf(),
    reset: () => {
      sim.requestLog.clear();
      sim.callbacks.clearAttempts();
      sim.accounts.resetCounters();
    },
  };
}

export function inspectJob(sim: Simulator, jobid: string): JobInspection | undefined {
  const image = sim.imageJobs.get(jobid);
  if (image) {
    // An image call has no clips to plan: its plan says only how long it took.
    const plan: JobPlan = { startDelayMs: 0, generationMs: image.generationMs, outcome: image.failed ? 'failed' : 'completed', clips: [], shape: 'media' };
    return { jobid: image.jobid, seq: image.seq, email: image.email, status: image.status, expired: image.expired, plan };
  }
  const job = sim.jobs.get(jobid);
  if (!job) return undefined;
  return { jobid: job.jobid, seq: job.seq, email: job.email, status: job.status, expired: job.expired, plan: structuredClone(job.plan) };
}
