import rateLimit from '@fastify/rate-limit';
import { FlowqError } from '@flowq/core';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

export class RateLimitedError extends FlowqError {
  readonly code = 'rate_limited';
  readonly status = 429;
  override readonly retryable = true;
}

/**
 * Requests per minute per API key (per address before a key is known), counted in Redis so
 * every API process shares one budget. Added to `scope` as an onRequest hook after `apiKeyAuth`,
 * so it counts by key. When Redis does not answer, requests pass: the API stays usable.
 */
export async function registerRateLimit(scope: FastifyInstance, opts: { redis: Redis; prefix: string; perMinute: number }): Promise<void> {
  if (opts.perMinute <= 0) return;
  await scope.register(rateLimit, {
    global: false,
    redis: opts.redis,
    nameSpace: `${opts.prefix}:rate-limit:`,
    max: opts.perMinute,
    timeWindow: 60_000,
    skipOnError: true,
    keyGenerator: (req) => req.apiKeyId ?? `ip:${req.ip}`,
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(`Too many requests: at most ${ctx.max} a minute per API key; try again in ${ctx.after}`),
  });
  scope.addHook('onRequest', scope.rateLimit());
}
