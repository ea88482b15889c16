import { describe, expect, it } from 'vitest';
import { ConfigError } from './env';
import { loadApiConfig, loadConfig, loadWorkerConfig } from './config';

const realToken = { USEAPI_TOKEN: 'user:1-token' };

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('one configuration per process', () => {
  it('starts a worker with a real token without the API keys, the Bull Board password or the secret key', () => {
    const config = loadWorkerConfig({ ...realToken, WORKER_CONCURRENCY: '7' });
    expect(config.worker.concurrency).toBe(7);
    expect(config.useapi.token).toBe('user:1-token');
    expect(config).not.toHaveProperty('auth');
    expect(config).not.toHaveProperty('bullBoard');
    expect(config).not.toHaveProperty('callbacks');
  });

  it('still asks the API for them when the token is real', () => {
    expect(problems(() => loadApiConfig(realToken))).toEqual([
      'FLOWQ_API_KEYS: required when USEAPI_TOKEN is set',
      'BULL_BOARD_PASSWORD: required when USEAPI_TOKEN is set',
      'FLOWQ_SECRET_KEY: required when USEAPI_TOKEN is set (seals callback signing secrets)',
    ]);
    const api = loadApiConfig({ ...realToken, FLOWQ_API_KEYS: 'k1', BULL_BOARD_PASSWORD: 'pw', FLOWQ_SECRET_KEY: 'k'.repeat(32) });
    expect(api.auth.apiKeys).toEqual(['k1']);
    expect(api.worker).toEqual({ deadlineMs: 24 * 3_600_000 });
    expect(api).not.toHaveProperty('accounts');
  });

  it('fails each process on its own variables only, naming them', () => {
    const badWorkerSetting = { WORKER_CONCURRENCY: 'many', RETRY_DELAY_MIN_MS: '900', RETRY_DELAY_MAX_MS: '100' };
    expect(() => loadApiConfig(badWorkerSetting)).not.toThrow();
    expect(problems(() => loadWorkerConfig(badWorkerSetting)).join('\n')).toContain('WORKER_CONCURRENCY');
    expect(problems(() => loadWorkerConfig({ RETRY_DELAY_MIN_MS: '900', RETRY_DELAY_MAX_MS: '100' }))).toEqual([
      'RETRY_DELAY_MAX_MS: must be >= RETRY_DELAY_MIN_MS',
    ]);
    const badApiSetting = { RATE_LIMIT_PER_MINUTE: '-1' };
    expect(() => loadWorkerConfig(badApiSetting)).not.toThrow();
    expect(problems(() => loadApiConfig(badApiSetting)).join('\n')).toContain('RATE_LIMIT_PER_MINUTE');
  });

  it('checks every variable and rule when one process runs both', () => {
    expect(problems(() => loadConfig({ ...realToken, RETRY_DELAY_MIN_MS: '900', RETRY_DELAY_MAX_MS: '100' }))).toEqual([
      'FLOWQ_API_KEYS: required when USEAPI_TOKEN is set',
      'BULL_BOARD_PASSWORD: required when USEAPI_TOKEN is set',
      'FLOWQ_SECRET_KEY: required when USEAPI_TOKEN is set (seals callback signing secrets)',
      'RETRY_DELAY_MAX_MS: must be >= RETRY_DELAY_MIN_MS',
    ]);
  });
});
