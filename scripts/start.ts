/**
 * `pnpm start`: one process with everything a laptop needs. Creates the database if it is
 * missing, applies migrations, and starts the API and a worker. Without USEAPI_TOKEN it also
 * starts the Flow simulator with three simulated accounts and points the client at it.
 */
import { startApiServer } from '@flowq/api';
import { closeOnSignals, createProcessLogger, DEV_API_KEY, loadConfig, ServiceUnreachableError } from '@flowq/config';
import { migrateDatabase, waitForPostgres } from '@flowq/db';
import { createFlowqMetrics } from '@flowq/metrics';
import { waitForRedis } from '@flowq/queue';
import { optionsFromEnv, startFlowSimulator } from '@flowq/flow-simulator';
import { startWorkerProcess } from '@flowq/worker';

const SIM_ACCOUNTS = [
  { email: 'sim-1@flowq.test', tier: 'ultra' as const },
  { email: 'sim-2@flowq.test', tier: 'pro' as const },
  { email: 'sim-3@flowq.test', tier: 'pro' as const },
];

const env = { ...process.env };
const simulated = !env.USEAPI_TOKEN;
if (simulated) {
  env.USEAPI_TOKEN = 'flowq-simulator-token';
  env.SIM_ENABLED = 'true';
  env.FLOWQ_ACCOUNTS ||= SIM_ACCOUNTS.map((a) => `${a.email}:${a.tier}`).join(',');
  env.POLL_INTERVAL_MS ||= '1000';
}
const config = loadConfig(env);
const logger = createProcessLogger(config.log, 'flowq');

const closers: (() => Promise<void>)[] = [];
try {
  if (simulated) {
    // SIM_CLIP_BYTES (clips of a realistic size) and SIM_URL_TTL_MS as `pnpm sim` reads them.
    const { clipBytes, urlTtlMs } = optionsFromEnv(env);
    const sim = await startFlowSimulator({
      port: config.simulator.port,
      host: '127.0.0.1',
      accounts: config.accounts.seed,
      generationMs: config.simulator.generationMs,
      ...(clipBytes !== undefined ? { clipBytes } : {}),
      ...(urlTtlMs !== undefined ? { urlTtlMs } : {}),
    });
    closers.unshift(() => sim.close());
    const banner =
      '\n' +
      '  ************************************************************************\n' +
      '  *  SIMULATOR MODE: no USEAPI_TOKEN is set, so flowq talks to its own    *\n' +
      '  *  Flow simulator, not useapi.net. No real video is generated.          *\n' +
      `  *  Simulator: ${sim.baseUrl.padEnd(57)}*\n` +
      '  ************************************************************************\n';
    // Plain text on stderr as well as the JSON line, so nobody misses it in a terminal.
    process.stderr.write(banner);
    logger.warn({ simulator: sim.baseUrl }, 'SIMULATOR MODE: no USEAPI_TOKEN set; talking to the built-in Flow simulator, not useapi.net');
  }
  await Promise.all([
    waitForPostgres(config.db.url, { waitMs: config.services.waitMs, logger }),
    waitForRedis(config.redis.url, { waitMs: config.services.waitMs, logger }),
  ]);
  await migrateDatabase(config.db.url);
  // One process, one set of counters: the API's /metrics shows the worker's steps too.
  const metrics = createFlowqMetrics();
  const api = await startApiServer(config, logger, { metrics });
  closers.unshift(() => api.close());
  const worker = await startWorkerProcess(config, logger, { metrics });
  closers.unshift(() => worker.close());
  logger.info(
    {
      api: api.address,
      console: `${api.address}/console`,
      docs: `${api.address}/docs`,
      board: `${api.address}/admin/queues`,
      metrics: `${api.address}/metrics`,
    },
    'flowq is up',
  );
  if (config.auth.usingDevKey) {
    logger.warn(`no FLOWQ_API_KEYS set: the API accepts the development key "${DEV_API_KEY}" (see README)`);
  }
} catch (err) {
  if (err instanceof ServiceUnreachableError) logger.fatal(err.message);
  else logger.fatal({ err }, 'flowq failed to start');
  for (const close of closers) await close().catch(() => undefined);
  process.exit(1);
}

closeOnSignals(logger, async () => {
  for (const close of closers) await close();
});
