import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createGuardedAgent, parseSsrfAllowList } from '@flowq/core';
import { createFlowqMetrics } from '@flowq/metrics';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createCallbackSecrets } from './callbacks/callback-secrets';
import type { ApiDeps } from './deps';
import { apiKeyAuth } from './plugins/api-key-auth';
import { BULL_BOARD_PATH, registerBullBoard } from './plugins/bull-board';
import { frameworkError, installErrorHandler, sendError } from './plugins/error-handler';
import { guardedJsonParser, inputGuard } from './plugins/input-guard';
import { lazyChildLogger } from './plugins/lazy-child-logger';
import { requestLogger } from './plugins/log-redaction';
import { registerRateLimit } from './plugins/rate-limit';
import { registerSecurityHeaders, withoutHttpsUpgrade } from './plugins/security-headers';
import { consoleRoutes } from './console/console-routes';
import { accountRoutes } from './routes/accounts';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { batchRoutes } from './routes/batches';
import { batchBudgetRoutes } from './routes/batches/batch-budget';
import { jobRoutes } from './routes/jobs';
import { jobTimelineRoutes } from './routes/jobs/job-timeline';
import { imageRoutes } from './routes/images';
import { keyRoutes } from './routes/keys';
import { mediaRoutes } from './routes/media';
import { mediaLinksOf } from './media/media-links';
import { useapiCallbackRoutes } from './routes/webhooks/useapi-callback';
import { createAccountService } from './services/account-service';
import { createApiKeyService } from './services/api-key-service';
import { createBatchService } from './services/batch-service';
import { createIdempotencyService } from './services/idempotency-service';
import { createJobService } from './services/job-service';
import { createImageService } from './images/image-service';

/** The largest JSON body of any route but `POST /v1/batches` (which streams its own, up to BATCH_MAX_BYTES). */
const BODY_LIMIT = 1_048_576;

/** Builds the API without listening: server.ts listens, tests use `app.inject()`. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  // A typo in SSRF_ALLOWLIST fails at start, not at the first client URL it should have allowed.
  const allow = parseSsrfAllowList(deps.config.ssrf.allow);
  const app = Fastify({
    loggerInstance: requestLogger(deps.logger) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Errors the router meets before any route runs (a bad percent-encoding, a path segment
    // over the limit) get the same envelope as every other error, without the URL in them.
    frameworkErrors: (err, _req, reply) => {
      sendError(reply as FastifyReply, frameworkError(err, BODY_LIMIT));
    },
    // Per-request lines only when debugging: at thousands of requests a second they cost more than the work.
    logController: new LogController({ disableRequestLogging: deps.config.log.level !== 'debug' && deps.config.log.level !== 'trace' }),
    // Each request's logger is made only when it writes a line.
    childLoggerFactory: lazyChildLogger,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, BODY_LIMIT);
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, guardedJsonParser(defaultJson as never));
  app.addHook('preValidation', inputGuard);

  await app.register(swagger, {
    openapi: {
      info: { title: 'flowq', version: '0.1.0', description: 'Queue Google Flow (Veo) video generations across many accounts.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(async (docs) => {
    await registerSecurityHeaders(docs, { csp: false });
    await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: withoutHttpsUpgrade });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const metrics = deps.metrics ?? createFlowqMetrics();
  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { deps, metrics });
  await app.register(consoleRoutes);
  await app.register(useapiCallbackRoutes, { deps, metrics });
  await registerBullBoard(app, [deps.queue], {
    user: deps.config.bullBoard.user,
    password: deps.config.bullBoard.password,
    redis: deps.redis,
    prefix: deps.config.redis.prefix,
  });

  const jobs = createJobService(deps, metrics);
  app.addHook('onClose', () => jobs.drain());
  const accounts = createAccountService(deps);
  const keys = createApiKeyService(deps);
  const idempotency = createIdempotencyService(deps);
  const authenticate = apiKeyAuth(deps.config.auth.apiKeys, keys.authenticate);
  const { media } = deps.config;
  const links = mediaLinksOf(deps.config);
  // Outside the authenticated group: a signed link opens a file without a key; without one the route checks the key itself.
  await app.register(mediaRoutes, {
    db: deps.database.db,
    store: deps.mediaStore,
    authenticate,
    signingSecret: media.signingSecret,
    redirectSeconds: media.s3Redirect && deps.mediaStore.driver === 's3' ? Math.min(media.linkTtlSeconds, 604_800) : undefined,
  });
  // Image URLs are fetched through an agent that checks every address it dials (DNS rebinding).
  const imageAgent = createGuardedAgent(allow);
  app.addHook('onClose', async () => imageAgent.close());
  const images = createImageService({
    db: deps.database.db,
    store: deps.mediaStore,
    allow,
    agent: imageAgent,
    fetchTimeoutMs: deps.config.ssrf.imageFetchTimeoutMs,
  });
  const callbackUrls = { allow, secrets: createCallbackSecrets(deps.database.db, deps.config) };
  await app.register(async (authed) => {
    authed.addHook('onRequest', authenticate);
    await registerRateLimit(authed, { redis: deps.redis, prefix: deps.config.redis.prefix, perMinute: deps.config.rateLimit.perMinute });
    await authed.register(jobRoutes, { jobs, idempotency, callbackUrls, links, images });
    const batches = createBatchService(deps, links, images);
    await authed.register(batchRoutes, {
      batches,
      idempotency,
      maxBytes: deps.config.batches.maxBytes,
      maxRows: deps.config.batches.maxRows,
      callbackUrls,
      links,
    });
    await authed.register(batchBudgetRoutes, { batches });
    await authed.register(jobTimelineRoutes, { jobs, database: deps.database });
    await authed.register(accountRoutes, { accounts });
    await authed.register(keyRoutes, { keys });
    await authed.register(imageRoutes, { images });
  });

  app.log.debug({ bullBoard: BULL_BOARD_PATH }, 'routes ready');
  return app;
}
