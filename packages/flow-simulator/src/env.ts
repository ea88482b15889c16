import { isVideoModel, type VideoModel } from '@flowq/core';
import type { AccountConfig, FlowSimulatorOptions } from './options';

export const DEFAULT_SIM_ACCOUNTS = 'sim-1@flowq.test:ultra,sim-2@flowq.test:pro,sim-3@flowq.test:pro';

/**
 * Options of `pnpm sim` from its environment:
 * SIM_PORT (4010), SIM_HOST (127.0.0.1), SIM_TOKEN (any token),
 * SIM_ACCOUNTS (`email[:tier[:model+model...]],...`, the models its plan may run),
 * SIM_GENERATION_MS (`2000-4000` or `3000`), SIM_START_DELAY_MS, SIM_SEED, SIM_API_VERSION (2026 | 2025),
 * SIM_RESPONSE_SHAPE (operations | media | both | mixed), SIM_MAX_CONCURRENT, SIM_HIDDEN_LIMITS (`2-6`: each
 * account's true concurrency limit, spread over the range and not told to clients), SIM_PUBLIC_ORIGIN,
 * SIM_CLIP_BYTES (size of every MP4 served), SIM_URL_TTL_MS (lifetime of signed media links),
 * SIM_IMAGE_MS (`10000-20000`: how long a `POST /images` call takes), SIM_MAX_CONCURRENT_IMAGES (3).
 */
export function optionsFromEnv(env: Record<string, string | undefined>): FlowSimulatorOptions {
  const options: FlowSimulatorOptions = {
    port: integer(env.SIM_PORT ?? '4010', 'SIM_PORT'),
    host: env.SIM_HOST ?? '127.0.0.1',
    accounts: parseAccounts(env.SIM_ACCOUNTS || DEFAULT_SIM_ACCOUNTS),
    logger: { level: env.LOG_LEVEL ?? 'info' },
  };
  if (env.SIM_TOKEN) options.token = env.SIM_TOKEN;
  if (env.SIM_GENERATION_MS) options.generationMs = parseRange(env.SIM_GENERATION_MS);
  if (env.SIM_START_DELAY_MS) options.startDelayMs = integer(env.SIM_START_DELAY_MS, 'SIM_START_DELAY_MS');
  if (env.SIM_SEED) options.seed = /^\d+$/.test(env.SIM_SEED) ? Number(env.SIM_SEED) : env.SIM_SEED;
  if (env.SIM_MAX_CONCURRENT) options.maxConcurrentPerAccount = integer(env.SIM_MAX_CONCURRENT, 'SIM_MAX_CONCURRENT');
  if (env.SIM_IMAGE_MS) options.imageMs = parseRange(env.SIM_IMAGE_MS, 'SIM_IMAGE_MS');
  if (env.SIM_MAX_CONCURRENT_IMAGES) options.maxConcurrentImagesPerAccount = integer(env.SIM_MAX_CONCURRENT_IMAGES, 'SIM_MAX_CONCURRENT_IMAGES');
  if (env.SIM_HIDDEN_LIMITS) options.hiddenLimits = parseRange(env.SIM_HIDDEN_LIMITS, 'SIM_HIDDEN_LIMITS');
  if (env.SIM_PUBLIC_ORIGIN) options.publicOrigin = env.SIM_PUBLIC_ORIGIN;
  if (env.SIM_CLIP_BYTES) options.clipBytes = integer(env.SIM_CLIP_BYTES, 'SIM_CLIP_BYTES');
  if (env.SIM_URL_TTL_MS) options.urlTtlMs = integer(env.SIM_URL_TTL_MS, 'SIM_URL_TTL_MS');
  if (env.SIM_API_VERSION) {
    const version = env.SIM_API_VERSION;
    if (version !== '2026' && version !== '2025') throw new Error(`SIM_API_VERSION must be 2026 or 2025, got ${version}`);
    options.apiVersion = version;
  }
  if (env.SIM_RESPONSE_SHAPE) {
    const shape = env.SIM_RESPONSE_SHAPE;
    if (shape !== 'operations' && shape !== 'media' && shape !== 'both' && shape !== 'mixed')
      throw new Error(`SIM_RESPONSE_SHAPE must be operations, media, both or mixed, got ${shape}`);
    options.responseShape = shape;
  }
  return options;
}

export function parseAccounts(text: string): AccountConfig[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [email, tier = 'pro', models] = item.split(':');
      if (!email || !email.includes('@')) throw new Error(`SIM_ACCOUNTS: not an email: ${item}`);
      if (tier !== 'ultra' && tier !== 'pro') throw new Error(`SIM_ACCOUNTS: tier must be ultra or pro, got ${tier}`);
      if (models === undefined) return { email, tier };
      const list = models.split('+').filter(Boolean);
      const unknown = list.find((m) => !isVideoModel(m));
      if (unknown !== undefined) throw new Error(`SIM_ACCOUNTS: unknown model ${unknown} for ${email}`);
      return { email, tier, models: list as VideoModel[] };
    });
}

export function parseRange(text: string, name = 'SIM_GENERATION_MS'): { min: number; max: number } {
  const [min, max = min] = text.split('-').map((part) => integer(part.trim(), name));
  return { min: min!, max: max! };
}

function integer(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a non-negative integer, got ${text}`);
  return Number(text);
}
