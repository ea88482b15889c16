import { tiersFor, VIDEO_MODEL_IDS, type VideoModel } from '@flowq/core';
import type { LoggerOptions } from 'pino';

export type AccountTier = 'ultra' | 'pro';

/**
 * Which useapi the simulator imitates. `2026` (default): the 2026 catalog answers, completed
 * records carry `media[]` (current) and `operations[]` (legacy) side by side as useapi's own
 * upscale answer does, every 429 carries `Retry-After` and a body `retryAfter`, and
 * `GET /accounts/{email}` lists `models.videoModels[]`. `2025`: the November 2025 videos page:
 * `operations[]` only, 429s without hints, `models` as a list of ids.
 */
export type ApiVersion = '2026' | '2025';

/**
 * `ok`: healthy. `needs_reauth`: Google session refresh fails, so submits and uploads answer 596
 * until a person re-adds the account. `no_credits`: subscription gone, submits answer 402.
 */
export type AccountState = 'ok' | 'needs_reauth' | 'no_credits';

/**
 * `operations`: videos page (Nov 2025). `media`: 2026 docs. `both`: both arrays (the 2026
 * default, so old and new clients read the same record). `mixed`: each job picks operations or media, seeded.
 */
export type ResponseShape = 'operations' | 'media' | 'both' | 'mixed';

export interface AccountConfig {
  email: string;
  /** Default `pro`. Only `ultra` may use veo-3.1-lite-low-priority and 4 or 6 s Veo clips. */
  tier?: AccountTier;
  /** The models the account's plan may run; others answer 403 MODEL_ACCESS_DENIED. Default: every model its tier may run. */
  models?: VideoModel[];
  /** Default 25000 for ultra, 1000 for pro. */
  credits?: number;
  /** Overrides `maxConcurrentPerAccount` for this account. */
  maxConcurrent?: number;
  /** Overrides `maxConcurrentImagesPerAccount` for this account. */
  maxConcurrentImages?: number;
  /** Default `ok`. */
  state?: AccountState;
}

export interface CallbackSettings {
  /** `deliver` (default): POST each state change. `drop`: never send. `delay`: send after `delayMs`. */
  mode: 'deliver' | 'drop' | 'delay';
  /** Used by mode `delay`. Default 1000. */
  delayMs: number;
  /** Send every callback twice, as an at-least-once sender would. Default false. */
  duplicate: boolean;
  /** Share of callbacks lost at random (0..1, seeded). Default 0. */
  dropRate: number;
}

export interface PromptMarkers {
  /** Rejected at submit with Google's content-policy 400. Default `[[unsafe]]`. */
  unsafe: string;
  /** The async job fails after generation, with the failed-job record of the notes. Default `[[fail]]`. */
  fail: string;
  /** One clip of the job comes back FAILED. Default `[[fail-clip]]`. */
  failClip: string;
}

export interface FlowSimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Origin written into media URLs, when clients reach the simulator by another name. Default: the listen address. */
  publicOrigin?: string;
  /** When set, only this bearer token is accepted; otherwise any non-empty token is. */
  token?: string;
  /** Default: one ultra account `sim-1@flowq.test`. */
  accounts?: AccountConfig[];
  /** Default 4; useapi calls video concurrency "dynamic" and gives no number. */
  maxConcurrentPerAccount?: number;
  /**
   * `POST /images` calls running at once per account; one more answers 429 THROTTLED. Default 3,
   * the low end of useapi's "3 to 20 parallel". Apart from the video limit.
   */
  maxConcurrentImagesPerAccount?: number;
  /** How long a `POST /images` call takes, drawn per call. Default 10000-20000 ms, as useapi says. */
  imageMs?: { min: number; max: number };
  /**
   * True concurrency limits spread evenly over `min..max` across the accounts in order (the
   * first gets `min`, the next `min + 1`, wrapping after `max`), as Google gives each account
   * its own; a client is not told them. An account's own `maxConcurrent` still wins.
   */
  hiddenLimits?: { min: number; max: number };
  /** Time from `started` to the end, drawn per job. Default 2000-4000 ms (the real service takes 60-180 s). */
  generationMs?: { min: number; max: number };
  /** Time from `created` to `started`. Default 200 ms. */
  startDelayMs?: number;
  /** Seed of every random choice. Default: a random one, readable as `sim.seed`. */
  seed?: number | string;
  /** Default `2026`. */
  apiVersion?: ApiVersion;
  /** Default `both` for 2026, `operations` for 2025. */
  responseShape?: ResponseShape;
  callbacks?: Partial<CallbackSettings>;
  markers?: Partial<PromptMarkers>;
  /** Lifetime of signed media URLs. Default 6 h (2026; the Nov 2025 page said 24 h). */
  urlTtlMs?: number;
  /** Size of every served MP4 (still a valid 8-second H.264 clip). Default: its natural size, about 6 KB. */
  clipBytes?: number;
  /**
   * `completion` (default): URLs are signed once, when the job completes, and every read of the
   * record returns the same ones, as a stored registry would. `read`: each read signs afresh.
   */
  urlSigning?: 'completion' | 'read';
  /** Jobs older than this answer 410. Default: never (only injected expiry). */
  jobRetentionMs?: number;
  /** Fastify logger. Default false. */
  logger?: false | LoggerOptions;
}

export interface ResolvedAccountConfig {
  email: string;
  tier: AccountTier;
  credits: number;
  maxConcurrent: number;
  maxConcurrentImages: number;
  state: AccountState;
  models: VideoModel[];
}

export interface ResolvedOptions {
  apiVersion: ApiVersion;
  port: number;
  host: string;
  publicOrigin: string | undefined;
  token: string | undefined;
  accounts: ResolvedAccountConfig[];
  generationMs: { min: number; max: number };
  imageMs: { min: number; max: number };
  startDelayMs: number;
  seed: number | string;
  responseShape: ResponseShape;
  callbacks: CallbackSettings;
  markers: PromptMarkers;
  urlTtlMs: number;
  clipBytes: number;
  urlSigning: 'completion' | 'read';
  jobRetentionMs: number;
  logger: false | LoggerOptions;
}

export const DEFAULT_ACCOUNTS: AccountConfig[] = [{ email: 'sim-1@flowq.test', tier: 'ultra' }];

export function resolveOptions(options: FlowSimulatorOptions = {}): ResolvedOptions {
  const maxConcurrentPerAccount = options.maxConcurrentPerAccount ?? 4;
  const maxConcurrentImagesPerAccount = options.maxConcurrentImagesPerAccount ?? 3;
  const generationMs = options.generationMs ?? { min: 2000, max: 4000 };
  const imageMs = options.imageMs ?? { min: 10_000, max: 20_000 };
  for (const [name, range] of [
    ['generationMs', generationMs],
    ['imageMs', imageMs],
  ] as const) {
    if (range.min < 0 || range.max < range.min) throw new Error(`${name} must satisfy 0 <= min <= max, got ${range.min}-${range.max}`);
  }
  const hidden = options.hiddenLimits;
  if (hidden && (hidden.min < 1 || hidden.max < hidden.min)) throw new Error(`hiddenLimits must satisfy 1 <= min <= max, got ${hidden.min}-${hidden.max}`);
  const accounts = (options.accounts ?? DEFAULT_ACCOUNTS).map((a, i): ResolvedAccountConfig => {
    const tier = a.tier ?? 'pro';
    const hiddenLimit = hidden ? hidden.min + (i % (hidden.max - hidden.min + 1)) : undefined;
    return {
      email: a.email,
      tier,
      credits: a.credits ?? (tier === 'ultra' ? 25_000 : 1_000),
      maxConcurrent: a.maxConcurrent ?? hiddenLimit ?? maxConcurrentPerAccount,
      maxConcurrentImages: a.maxConcurrentImages ?? maxConcurrentImagesPerAccount,
      state: a.state ?? 'ok',
      models: a.models ?? VIDEO_MODEL_IDS.filter((m) => tiersFor({ model: m }).includes(tier)),
    };
  });
  const emails = new Set(accounts.map((a) => a.email));
  if (emails.size !== accounts.length) throw new Error('accounts must have distinct emails');
  const apiVersion = options.apiVersion ?? '2026';
  return {
    apiVersion,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    publicOrigin: options.publicOrigin?.replace(/\/+$/, ''),
    token: options.token,
    accounts,
    generationMs,
    imageMs,
    startDelayMs: options.startDelayMs ?? 200,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    responseShape: options.responseShape ?? (apiVersion === '2026' ? 'both' : 'operations'),
    callbacks: { mode: 'deliver', delayMs: 1000, duplicate: false, dropRate: 0, ...options.callbacks },
    markers: { unsafe: '[[unsafe]]', fail: '[[fail]]', failClip: '[[fail-clip]]', ...options.markers },
    urlTtlMs: options.urlTtlMs ?? (apiVersion === '2026' ? 6 : 24) * 60 * 60 * 1000,
    clipBytes: options.clipBytes ?? 0,
    urlSigning: options.urlSigning ?? 'completion',
    jobRetentionMs: options.jobRetentionMs ?? Number.POSITIVE_INFINITY,
    logger: options.logger ?? false,
  };
}
