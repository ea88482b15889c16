import { z } from 'zod';
import { boolFrom, ConfigError, csv, intFrom, parseEnv } from './env';

export const DEFAULT_USEAPI_BASE_URL = 'https://api.useapi.net/v1/google-flow';
/** Used only in simulator mode when no FLOWQ_API_KEYS are configured; the README names it. */
export const DEV_API_KEY = 'flowq-dev-key';
/** Simulator mode only, when FLOWQ_WEBHOOK_SECRET is not set: signs callbacks of the dev key. The README names it. */
export const DEV_WEBHOOK_SECRET = 'flowq-dev-webhook-secret';
/** Simulator mode only, when FLOWQ_SECRET_KEY is not set. Never used once USEAPI_TOKEN is set. */
const DEV_SECRET_KEY = 'flowq-dev-secret-key-not-for-production-use';

const accountSpec = z.string().transform((s, ctx) => {
  const [email, tier = 'pro'] = s.split(':').map((x) => x.trim());
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not an account email (email[:ultra|pro])` });
    return z.NEVER;
  }
  if (tier !== 'ultra' && tier !== 'pro') {
    ctx.addIssue({ code: 'custom', message: `tier of ${email} must be ultra or pro, not "${tier}"` });
    return z.NEVER;
  }
  return { email: email.toLowerCase(), tier: tier as 'ultra' | 'pro' };
});

/** Every variable flowq reads, with its default. `.env.example` mirrors this list. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFrom(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  METRICS_TOKEN: z.string().optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SERVICES_WAIT_SECONDS: intFrom(30),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/flowq'),
  DATABASE_POOL_MAX: intFrom(20, 1),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('flowq'),
  FLOWQ_API_KEYS: csv,
  USEAPI_TOKEN: z.string().optional(),
  USEAPI_BASE_URL: z.url().default(DEFAULT_USEAPI_BASE_URL),
  USEAPI_TIMEOUT_MS: intFrom(30_000, 1000),
  USEAPI_CAPTCHA_RETRY: z.coerce.number().int().min(1).max(10).optional(),
  USEAPI_CAPTCHA_ORDER: csv.pipe(z.array(z.string()).max(10, 'at most 10 providers')),
  FLOWQ_ACCOUNTS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(accountSpec)),
  RATE_LIMIT_PER_MINUTE: intFrom(600),
  SSRF_ALLOWLIST: csv,
  IMAGE_FETCH_TIMEOUT_MS: intFrom(15_000, 100),
  BULL_BOARD_USER: z.string().default('admin'),
  BULL_BOARD_PASSWORD: z.string().optional(),
  WORKER_CONCURRENCY: intFrom(5, 1),
  POLL_INTERVAL_MS: intFrom(15_000, 100),
  WORKER_PARK_MAX_MS: intFrom(1_800_000, 1_000),
  RETRY_DELAY_MIN_MS: intFrom(5_000),
  RETRY_DELAY_MAX_MS: intFrom(10_000),
  MAX_ATTEMPTS: intFrom(3, 1),
  JOB_DEADLINE_HOURS: z.coerce.number().positive().default(24),
  ACCOUNT_MAX_CONCURRENT: intFrom(4, 1),
  ACCOUNT_MAX_PER_MINUTE: intFrom(10, 1),
  ACCOUNT_MAX_CONCURRENT_IMAGES: intFrom(3, 1),
  ACCOUNT_MAX_IMAGES_PER_MINUTE: intFrom(30, 1),
  COOLDOWN_AFTER_429S: intFrom(3, 1),
  COOLDOWN_WINDOW_MINUTES: z.coerce.number().positive().default(10),
  COOLDOWN_DURATION_MINUTES: z.coerce.number().positive().default(180),
  ACCOUNT_ADAPTIVE_LIMITS: boolFrom(true),
  ACCOUNT_LIMIT_RAISE_AFTER: intFrom(50, 1),
  ACCOUNT_LIMIT_RAISE_BACKOFF: z.coerce.number().min(1).default(4),
  QUARANTINE_QUOTA_MINUTES: z.coerce.number().positive().default(30),
  QUARANTINE_MODEL_QUOTA_MINUTES: z.coerce.number().positive().optional(),
  ACCOUNT_LEASE_MS: intFrom(900_000, 1000),
  TOKEN_PROBE_INTERVAL_MS: intFrom(30_000, 100),
  MAINTENANCE_INTERVAL_MS: intFrom(10_000, 100),
  WORKER_LOCK_MS: intFrom(60_000, 1000),
  FLOWQ_ON_AMBIGUOUS: z.enum(['resubmit', 'fail']).default('resubmit'),
  FLOWQ_AMBIGUOUS_TIMEOUT_MS: intFrom(60_000, 1000),
  SIM_PORT: intFrom(4010),
  SIM_GENERATION_MS: z
    .string()
    .regex(/^\d+(-\d+)?$/, 'must be N or MIN-MAX milliseconds')
    .default('2000-4000'),
  SIM_ENABLED: boolFrom(false),
  FLOWQ_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  FLOWQ_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
  CALLBACK_TIMEOUT_MS: intFrom(10_000, 100),
  CALLBACK_RETRY_BASE_MS: intFrom(10_000, 1),
  CALLBACK_RETRY_MAX_MS: intFrom(3_600_000, 1),
  CALLBACK_GIVE_UP_HOURS: z.coerce.number().positive().default(24),
  CALLBACK_POLL_MS: intFrom(1_000, 10),
  CALLBACK_CONCURRENCY: intFrom(16, 1),
  BATCH_MAX_ROWS: intFrom(100_000, 1),
  BATCH_MAX_BYTES: intFrom(50 * 1024 * 1024, 1),
  MEDIA_ARCHIVE: boolFrom(true),
  MEDIA_STORE: z.enum(['fs', 's3']).default('fs'),
  MEDIA_DIR: z.string().default('./data/media'),
  MEDIA_S3_BUCKET: z.string().optional(),
  MEDIA_S3_ENDPOINT: z.url().optional(),
  MEDIA_S3_REGION: z.string().default('us-east-1'),
  MEDIA_S3_ACCESS_KEY_ID: z.string().optional(),
  MEDIA_S3_SECRET_ACCESS_KEY: z.string().optional(),
  MEDIA_S3_FORCE_PATH_STYLE: boolFrom(false),
  MEDIA_S3_KEY_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9][A-Za-z0-9._-]*\/)*$/, 'must be empty or end with "/"')
    .default(''),
  MEDIA_S3_REDIRECT: boolFrom(false),
  MEDIA_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MEDIA_LINK_TTL_SECONDS: intFrom(86_400, 60),
  MEDIA_RETENTION_DAYS: z.coerce.number().min(0).default(0),
  MEDIA_ARCHIVE_CONCURRENCY: intFrom(4, 1),
  MEDIA_ARCHIVE_ATTEMPTS: intFrom(8, 1),
  MEDIA_ARCHIVE_TIMEOUT_MS: intFrom(300_000, 1000),
  UPSTREAM_LINK_TTL_HOURS: z.coerce.number().positive().default(6),
});

export type Env = z.output<typeof envSchema>;

/**
 * Variables only the API reads, and only the workers. Each process parses its own schema (the
 * whole list minus the other's variables), so a worker never needs the API's keys or Bull Board
 * password, and a typo in a worker setting does not stop the API. Anything in neither list
 * (connections, useapi, logs, metrics, ...) both read.
 */
const API_ONLY = [
  'FLOWQ_API_KEYS',
  'RATE_LIMIT_PER_MINUTE',
  'SSRF_ALLOWLIST',
  'IMAGE_FETCH_TIMEOUT_MS',
  'BULL_BOARD_USER',
  'BULL_BOARD_PASSWORD',
  'BATCH_MAX_ROWS',
  'BATCH_MAX_BYTES',
] as const;
const WORKER_ONLY = [
  'FLOWQ_ACCOUNTS',
  'WORKER_CONCURRENCY',
  'POLL_INTERVAL_MS',
  'WORKER_PARK_MAX_MS',
  'RETRY_DELAY_MIN_MS',
  'RETRY_DELAY_MAX_MS',
  'MAX_ATTEMPTS',
  'ACCOUNT_MAX_CONCURRENT',
  'ACCOUNT_MAX_PER_MINUTE',
  'ACCOUNT_MAX_CONCURRENT_IMAGES',
  'ACCOUNT_MAX_IMAGES_PER_MINUTE',
  'COOLDOWN_AFTER_429S',
  'COOLDOWN_WINDOW_MINUTES',
  'COOLDOWN_DURATION_MINUTES',
  'ACCOUNT_ADAPTIVE_LIMITS',
  'ACCOUNT_LIMIT_RAISE_AFTER',
  'ACCOUNT_LIMIT_RAISE_BACKOFF',
  'ACCOUNT_LEASE_MS',
  'TOKEN_PROBE_INTERVAL_MS',
  'MAINTENANCE_INTERVAL_MS',
  'WORKER_LOCK_MS',
  'FLOWQ_ON_AMBIGUOUS',
  'FLOWQ_AMBIGUOUS_TIMEOUT_MS',
] as const;

const without = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, true])) as { [P in K]: true };
/** The API process's variables. */
export const apiEnvSchema = envSchema.omit(without(WORKER_ONLY));
/** A worker process's variables. */
export const workerEnvSchema = envSchema.omit(without(API_ONLY));

export type Role = 'api' | 'worker';

export interface FlowqConfig {
  env: Env['NODE_ENV'];
  http: { port: number; host: string; publicUrl: string };
  /** `auto`: pretty lines when stdout is a terminal, JSON lines otherwise (files, containers, log shippers). */
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT'] };
  /** `GET /metrics` needs `Authorization: Bearer <token>` when a token is set; a worker serves it on `port` when set. */
  metrics: { token: string | undefined; port: number | undefined };
  /** How long a start waits for Postgres and Redis to answer before it gives up with a message saying what to do. */
  services: { waitMs: number };
  db: { url: string; poolMax: number };
  redis: { url: string; prefix: string };
  auth: { apiKeys: string[]; usingDevKey: boolean };
  /** Requests a minute per API key across all API processes (0: no limit). */
  rateLimit: { perMinute: number };
  /** Hosts and IP ranges a client-given URL may point at although they are internal (see ssrf-guard). */
  ssrf: {
    allow: string[];
    /** How long an image URL given in a job may take to fetch, redirects and body included. */
    imageFetchTimeoutMs: number;
  };
  useapi: {
    token: string | undefined;
    baseUrl: string;
    timeoutMs: number;
    /** Sent on every submit unless the job names its own (`captchaRetry` 1-10 or `captchaOrder`); empty: useapi's default (3 retries). */
    captcha: { retry?: number; order?: string };
  };
  /** True when no USEAPI_TOKEN is set: flowq starts its own Flow simulator and talks to it. */
  simulator: { enabled: boolean; port: number; generationMs: { min: number; max: number } };
  accounts: {
    seed: { email: string; tier: 'ultra' | 'pro' }[];
    maxConcurrent: number;
    maxPerMinute: number;
    /**
     * `POST /images` calls at once and per minute per account, apart from the video limits:
     * useapi runs "3 to 20" image calls in parallel per account (default 3, the safe end).
     */
    images: { maxConcurrent: number; maxPerMinute: number };
    /** How long a slot stays held without renewal; a crashed worker's slots come back after it. */
    leaseMs: number;
    coolOff: { threshold: number; windowMs: number; durationMs: number };
    /**
     * The configured video limit is a ceiling; each account's working limit is learned below it
     * (docs/account-limits.md): cut on a throttling 429, raised by one after `raiseAfter` clean
     * completions, that wait multiplied by `raiseBackoff` after each refused raise. Off: every
     * throttling 429 counts toward a cool-off at the configured limit, as before.
     */
    workingLimits: { adaptive: boolean; raiseAfter: number; raiseBackoff: number };
    /**
     * How long an account stays out after a 429 that gives no Retry-After: useapi's documented
     * quarantines (QUOTA_REACHED ~30 min; PER_MODEL_DAILY_QUOTA_REACHED until the next UTC
     * midnight, `modelQuotaMs` null).
     */
    quarantine: { quotaReachedMs: number; modelQuotaMs: number | null };
  };
  bullBoard: { user: string; password: string };
  /** Where results are archived and how they are served (docs/media.md). */
  media: {
    /** False: results keep useapi's own links, which die after about `upstreamLinkTtlMs`. */
    archive: boolean;
    store: { driver: 'fs'; dir: string } | S3StoreConfig;
    /** With the S3 driver, answer media requests with a redirect to a presigned URL instead of streaming. */
    s3Redirect: boolean;
    /** HMAC key of signed media links; every API replica must share it. Unset with a real token: no signed links, the API key only. */
    signingSecret: string | undefined;
    linkTtlSeconds: number;
    /** 0 = keep forever; else maintenance deletes archived media older than this. */
    retentionDays: number;
    /** Archive downloads one worker process runs at once (its own queue: they never hold an account slot). */
    archiveConcurrency: number;
    archiveAttempts: number;
    archiveTimeoutMs: number;
    /** useapi's signed links die after about this long (undocumented; about 6 h in 2026). */
    upstreamLinkTtlMs: number;
  };
  /** Client callbacks (callbackUrl): signing, timeouts and the retry schedule. */
  callbacks: {
    /** Signs callbacks of jobs made with a FLOWQ_API_KEYS (bootstrap) key; null: such jobs cannot ask for one. */
    bootstrapSecret: string | null;
    /** Seals each API key's signing secret in Postgres (secret-box.ts). */
    secretKey: string;
    timeoutMs: number;
    retry: { baseMs: number; maxMs: number; giveUpAfterMs: number };
    /** How often an API process looks for due deliveries. */
    pollMs: number;
    concurrency: number;
  };
  /** Limits of one `POST /v1/batches` upload (413 beyond them). */
  batches: { maxRows: number; maxBytes: number };
  worker: {
    concurrency: number;
    pollIntervalMs: number;
    /**
     * Longest a parked job sleeps before it looks again on its own. Parked jobs are woken by a
     * freed slot, wake-all or the idle-slot refill; this timer is only the last safety net, so
     * it is long: every parked job looking again costs a step (a 50,000-row batch on a 30 s
     * timer spent about 1,700 steps a second re-parking).
     */
    parkMaxMs: number;
    retryDelayMs: { min: number; max: number };
    maxAttempts: number;
    deadlineMs: number;
    /** While the useapi token is refused, how often a worker asks useapi whether it works again. */
    tokenProbeIntervalMs: number;
    /** Reconciler, cool-off expiry and drained-account removal run this often. */
    maintenanceIntervalMs: number;
    /** BullMQ lock of a running step; a dead worker's steps are taken up again after about this long. */
    lockMs: number;
    /**
     * A submission whose answer was lost (the worker died mid-POST) is looked for upstream this
     * long; then it is resubmitted or failed, as `onAmbiguous` says. Never shorter than the
     * useapi timeout, so a live worker's POST is never taken for a lost one.
     */
    ambiguous: { timeoutMs: number; policy: 'resubmit' | 'fail' };
  };
}

export interface S3StoreConfig {
  driver: 's3';
  bucket: string;
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  keyPrefix: string;
}

/** Only for simulator mode, where nothing real is served; a real install must set MEDIA_SIGNING_SECRET. */
export const DEV_MEDIA_SIGNING_SECRET = 'flowq-dev-media-signing-secret-do-not-use';

/** The API's configuration: no worker settings but the job deadline it stamps on each job. */
export type ApiConfig = Omit<FlowqConfig, 'accounts' | 'worker'> & { worker: Pick<FlowqConfig['worker'], 'deadlineMs'> };
/** A worker's configuration: no API keys, rate limit, SSRF allow-list, Bull Board, batch limits or client callbacks. */
export type WorkerConfig = Omit<FlowqConfig, 'auth' | 'rateLimit' | 'ssrf' | 'bullBoard' | 'batches' | 'callbacks'>;

function problemsOf(e: Env, roles: readonly Role[]): string[] {
  const simulatorEnabled = e.SIM_ENABLED || !e.USEAPI_TOKEN;
  const problems: string[] = [];
  // The media store: the API serves from it, the workers archive into it.
  if (e.MEDIA_STORE === 's3' && !e.MEDIA_S3_BUCKET) problems.push('MEDIA_S3_BUCKET: required when MEDIA_STORE=s3');
  if (!!e.MEDIA_S3_ACCESS_KEY_ID !== !!e.MEDIA_S3_SECRET_ACCESS_KEY)
    problems.push('MEDIA_S3_SECRET_ACCESS_KEY: MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY go together');
  if (roles.includes('api')) {
    if (!simulatorEnabled && e.FLOWQ_API_KEYS.length === 0) problems.push('FLOWQ_API_KEYS: required when USEAPI_TOKEN is set');
    if (!simulatorEnabled && !e.BULL_BOARD_PASSWORD) problems.push('BULL_BOARD_PASSWORD: required when USEAPI_TOKEN is set');
    if (!simulatorEnabled && !e.FLOWQ_SECRET_KEY) problems.push('FLOWQ_SECRET_KEY: required when USEAPI_TOKEN is set (seals callback signing secrets)');
    if (e.CALLBACK_RETRY_MAX_MS < e.CALLBACK_RETRY_BASE_MS) problems.push('CALLBACK_RETRY_MAX_MS: must be >= CALLBACK_RETRY_BASE_MS');
  }
  if (roles.includes('worker')) {
    if (e.RETRY_DELAY_MAX_MS < e.RETRY_DELAY_MIN_MS) problems.push('RETRY_DELAY_MAX_MS: must be >= RETRY_DELAY_MIN_MS');
    if (e.FLOWQ_AMBIGUOUS_TIMEOUT_MS < e.USEAPI_TIMEOUT_MS) problems.push('FLOWQ_AMBIGUOUS_TIMEOUT_MS: must be >= USEAPI_TIMEOUT_MS');
    if (e.USEAPI_CAPTCHA_RETRY !== undefined && e.USEAPI_CAPTCHA_ORDER.length > 0)
      problems.push('USEAPI_CAPTCHA_ORDER: useapi takes captchaRetry or captchaOrder, not both; unset USEAPI_CAPTCHA_RETRY');
  }
  return problems;
}

/** Parses the role's own variables (the other role's are left at their defaults, never read) and checks the role's rules. */
function parseFor(env: Record<string, string | undefined>, roles: readonly Role[]): Env {
  const schema = roles.length === 2 ? envSchema : roles[0] === 'api' ? apiEnvSchema : workerEnvSchema;
  const e = { ...envSchema.parse({}), ...parseEnv(schema, env) } as Env;
  const problems = problemsOf(e, roles);
  if (problems.length) throw new ConfigError(problems);
  return e;
}

/** The API process's configuration (`apps/api`). */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const { accounts: _accounts, worker, ...rest } = buildConfig(parseFor(env, ['api']));
  return { ...rest, worker: { deadlineMs: worker.deadlineMs } };
}

/** A worker process's configuration (`apps/worker`). */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const {
    auth: _auth,
    rateLimit: _rateLimit,
    ssrf: _ssrf,
    bullBoard: _bullBoard,
    batches: _batches,
    callbacks: _callbacks,
    ...rest
  } = buildConfig(parseFor(env, ['worker']));
  return rest;
}

/** Both roles in one process (`pnpm start`, tests): every variable, every rule. */
export function loadConfig(env: Record<string, string | undefined> = process.env): FlowqConfig {
  return buildConfig(parseFor(env, ['api', 'worker']));
}

function buildConfig(e: Env): FlowqConfig {
  const simulatorEnabled = e.SIM_ENABLED || !e.USEAPI_TOKEN;
  const [genMin, genMax = genMin] = e.SIM_GENERATION_MS.split('-').map(Number) as [number, number?];
  const usingDevKey = e.FLOWQ_API_KEYS.length === 0;
  return {
    env: e.NODE_ENV,
    http: { port: e.PORT, host: e.HOST, publicUrl: (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, '') },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    services: { waitMs: e.SERVICES_WAIT_SECONDS * 1000 },
    db: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    auth: { apiKeys: usingDevKey ? [DEV_API_KEY] : e.FLOWQ_API_KEYS, usingDevKey },
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE },
    ssrf: { allow: e.SSRF_ALLOWLIST, imageFetchTimeoutMs: e.IMAGE_FETCH_TIMEOUT_MS },
    useapi: {
      token: e.USEAPI_TOKEN,
      baseUrl: simulatorEnabled ? `http://127.0.0.1:${e.SIM_PORT}/v1/google-flow` : e.USEAPI_BASE_URL,
      timeoutMs: e.USEAPI_TIMEOUT_MS,
      captcha: {
        ...(e.USEAPI_CAPTCHA_RETRY !== undefined ? { retry: e.USEAPI_CAPTCHA_RETRY } : {}),
        ...(e.USEAPI_CAPTCHA_ORDER.length > 0 ? { order: e.USEAPI_CAPTCHA_ORDER.join(',') } : {}),
      },
    },
    simulator: { enabled: simulatorEnabled, port: e.SIM_PORT, generationMs: { min: genMin, max: genMax } },
    accounts: {
      seed: e.FLOWQ_ACCOUNTS,
      maxConcurrent: e.ACCOUNT_MAX_CONCURRENT,
      maxPerMinute: e.ACCOUNT_MAX_PER_MINUTE,
      images: { maxConcurrent: e.ACCOUNT_MAX_CONCURRENT_IMAGES, maxPerMinute: e.ACCOUNT_MAX_IMAGES_PER_MINUTE },
      leaseMs: e.ACCOUNT_LEASE_MS,
      coolOff: {
        threshold: e.COOLDOWN_AFTER_429S,
        windowMs: e.COOLDOWN_WINDOW_MINUTES * 60_000,
        durationMs: e.COOLDOWN_DURATION_MINUTES * 60_000,
      },
      workingLimits: { adaptive: e.ACCOUNT_ADAPTIVE_LIMITS, raiseAfter: e.ACCOUNT_LIMIT_RAISE_AFTER, raiseBackoff: e.ACCOUNT_LIMIT_RAISE_BACKOFF },
      quarantine: {
        quotaReachedMs: e.QUARANTINE_QUOTA_MINUTES * 60_000,
        modelQuotaMs: e.QUARANTINE_MODEL_QUOTA_MINUTES === undefined ? null : e.QUARANTINE_MODEL_QUOTA_MINUTES * 60_000,
      },
    },
    bullBoard: { user: e.BULL_BOARD_USER, password: e.BULL_BOARD_PASSWORD ?? 'admin' },
    batches: { maxRows: e.BATCH_MAX_ROWS, maxBytes: e.BATCH_MAX_BYTES },
    media: {
      archive: e.MEDIA_ARCHIVE,
      store:
        e.MEDIA_STORE === 'fs'
          ? { driver: 'fs', dir: e.MEDIA_DIR }
          : {
              driver: 's3',
              bucket: e.MEDIA_S3_BUCKET!,
              region: e.MEDIA_S3_REGION,
              forcePathStyle: e.MEDIA_S3_FORCE_PATH_STYLE,
              keyPrefix: e.MEDIA_S3_KEY_PREFIX,
              ...(e.MEDIA_S3_ENDPOINT ? { endpoint: e.MEDIA_S3_ENDPOINT } : {}),
              ...(e.MEDIA_S3_ACCESS_KEY_ID && e.MEDIA_S3_SECRET_ACCESS_KEY
                ? { credentials: { accessKeyId: e.MEDIA_S3_ACCESS_KEY_ID, secretAccessKey: e.MEDIA_S3_SECRET_ACCESS_KEY } }
                : {}),
            },
      s3Redirect: e.MEDIA_S3_REDIRECT,
      signingSecret: e.MEDIA_SIGNING_SECRET ?? (simulatorEnabled ? DEV_MEDIA_SIGNING_SECRET : undefined),
      linkTtlSeconds: e.MEDIA_LINK_TTL_SECONDS,
      retentionDays: e.MEDIA_RETENTION_DAYS,
      archiveConcurrency: e.MEDIA_ARCHIVE_CONCURRENCY,
      archiveAttempts: e.MEDIA_ARCHIVE_ATTEMPTS,
      archiveTimeoutMs: e.MEDIA_ARCHIVE_TIMEOUT_MS,
      upstreamLinkTtlMs: e.UPSTREAM_LINK_TTL_HOURS * 3_600_000,
    },
    callbacks: {
      bootstrapSecret: e.FLOWQ_WEBHOOK_SECRET ?? (simulatorEnabled ? DEV_WEBHOOK_SECRET : null),
      secretKey: e.FLOWQ_SECRET_KEY ?? DEV_SECRET_KEY,
      timeoutMs: e.CALLBACK_TIMEOUT_MS,
      retry: { baseMs: e.CALLBACK_RETRY_BASE_MS, maxMs: e.CALLBACK_RETRY_MAX_MS, giveUpAfterMs: e.CALLBACK_GIVE_UP_HOURS * 3_600_000 },
      pollMs: e.CALLBACK_POLL_MS,
      concurrency: e.CALLBACK_CONCURRENCY,
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      pollIntervalMs: e.POLL_INTERVAL_MS,
      parkMaxMs: e.WORKER_PARK_MAX_MS,
      retryDelayMs: { min: e.RETRY_DELAY_MIN_MS, max: e.RETRY_DELAY_MAX_MS },
      maxAttempts: e.MAX_ATTEMPTS,
      deadlineMs: e.JOB_DEADLINE_HOURS * 3_600_000,
      tokenProbeIntervalMs: e.TOKEN_PROBE_INTERVAL_MS,
      maintenanceIntervalMs: e.MAINTENANCE_INTERVAL_MS,
      lockMs: e.WORKER_LOCK_MS,
      ambiguous: { timeoutMs: e.FLOWQ_AMBIGUOUS_TIMEOUT_MS, policy: e.FLOWQ_ON_AMBIGUOUS },
    },
  };
}
