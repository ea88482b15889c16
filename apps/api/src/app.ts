import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiDeps } from './deps';
import { apiKeyAuth } from './plugins/api-key-auth';
import { BULL_BOARD_PATH, registerBullBoard } from './plugins/bull-board';
import { installErrorHandler } from './plugins/error-handler';
import { accountRoutes } from './routes/accounts';
import { healthRoutes } from './routes/health';
import { batchRoutes } from './routes/batches';
import { jobRoutes } from './routes/jobs';
import { useapiCallbackRoutes } from './routes/webhooks/useapi-callback';
import { createAccountService } from './services/account-service';
import { createBatchService } from './services/batch-service';
import { createJobService } from './services/job-service';

/** Builds the API without listening: server.ts listens, tests use `app.inject()`. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    // Per-request lines only when debugging: at thousands of requests a second they cost more than the work.
    logController: new LogController({ disableRequestLogging: deps.config.log.level !== 'debug' && deps.config.log.level !== 'trace' }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'flowq', version: '0.1.0', description: 'Queue Google Flow (Veo) video generations across many accounts.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/docs')) reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { deps });
  await app.register(useapiCallbackRoutes, { deps });
  await registerBullBoard(app, [deps.queue], deps.config.bullBoard.user, deps.config.bullBoard.password);

  const jobs = createJobService(deps);
  const accounts = createAccountService(deps);
  await app.register(async (authed) => {
    authed.addHook('preHandler', apiKeyAuth(deps.config.auth.apiKeys));
    await authed.register(jobRoutes, { jobs });
    await authed.register(batchRoutes, { batches: createBatchService(deps), maxBytes: deps.config.batches.maxBytes });
    await authed.register(accountRoutes, { accounts });
  });

  app.log.debug({ bullBoard: BULL_BOARD_PATH }, 'routes ready');
  return app;
}
