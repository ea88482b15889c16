import type { BenchResources } from './bench-resources';

/**
 * The environment every bench starts a flowq process with: its own database and Redis prefix,
 * a known API key, production mode, quiet logs and no per-key rate limit (benches measure
 * throughput, not the limiter). `extra` adds or overrides variables.
 */
export function flowqBenchEnv(o: {
  resources: BenchResources;
  port: number;
  prefix: string;
  apiKey: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(o.port),
    DATABASE_URL: o.resources.databaseUrl,
    REDIS_URL: o.resources.redisUrl,
    REDIS_PREFIX: o.prefix,
    FLOWQ_API_KEYS: o.apiKey,
    USEAPI_TOKEN: 'bench',
    BULL_BOARD_PASSWORD: 'bench',
    FLOWQ_SECRET_KEY: 'test-secret-key-0123456789abcdefghijklmnop',
    FLOWQ_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    ...o.extra,
  };
}
