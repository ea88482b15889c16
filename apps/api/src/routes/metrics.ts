import { UnauthorizedError } from '@flowq/core';
import { cachedRead, metricsAccessAllowed, registerWorldGauges, type FlowqMetrics } from '@flowq/metrics';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps';
import { createWorldFiguresReader } from '../metrics/world-figures';

/** Scrapes come every 15 s or so from each Prometheus and dashboard; the pool does not change faster than that matters. */
const WORLD_FIGURES_TTL_MS = 5_000;

/** `GET /metrics`: this process's counters plus the system's state, in the Prometheus text format. */
export const metricsRoutes: FastifyPluginAsync<{ deps: ApiDeps; metrics: FlowqMetrics }> = async (app, { deps, metrics }) => {
  registerWorldGauges(metrics.registry, cachedRead(WORLD_FIGURES_TTL_MS, createWorldFiguresReader(deps)));
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!metricsAccessAllowed(deps.config.metrics.token, req.headers.authorization)) {
      throw new UnauthorizedError('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
