import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from './env';
import { resolveOptions } from './options';

describe('optionsFromEnv', () => {
  it('defaults to three accounts on port 4010', () => {
    const options = optionsFromEnv({});
    expect(options.port).toBe(4010);
    expect(options.host).toBe('127.0.0.1');
    expect(options.accounts).toEqual([
      { email: 'sim-1@flowq.test', tier: 'ultra' },
      { email: 'sim-2@flowq.test', tier: 'pro' },
      { email: 'sim-3@flowq.test', tier: 'pro' },
    ]);
  });

  it('reads accounts, generation range and seed', () => {
    const options = optionsFromEnv({ SIM_ACCOUNTS: 'a@x.test:ultra, b@x.test', SIM_GENERATION_MS: '2000-4000', SIM_SEED: '7', SIM_PORT: '0' });
    expect(options.accounts).toEqual([
      { email: 'a@x.test', tier: 'ultra' },
      { email: 'b@x.test', tier: 'pro' },
    ]);
    expect(options.generationMs).toEqual({ min: 2000, max: 4000 });
    expect(options.seed).toBe(7);
    expect(optionsFromEnv({ SIM_GENERATION_MS: '500' }).generationMs).toEqual({ min: 500, max: 500 });
    expect(() => optionsFromEnv({ SIM_ACCOUNTS: 'a@x.test:gold' })).toThrow(/tier/);
  });

  it('reads the clip size and the media link lifetime', () => {
    const options = optionsFromEnv({ SIM_CLIP_BYTES: '4000000', SIM_URL_TTL_MS: '60000' });
    expect(options.clipBytes).toBe(4_000_000);
    expect(options.urlTtlMs).toBe(60_000);
    expect(() => optionsFromEnv({ SIM_CLIP_BYTES: 'big' })).toThrow(/SIM_CLIP_BYTES/);
  });

  it('reads hidden per-account limits, spread over the range in account order', () => {
    const options = optionsFromEnv({ SIM_ACCOUNTS: 'a@x.test,b@x.test,c@x.test,d@x.test', SIM_HIDDEN_LIMITS: '2-4' });
    expect(options.hiddenLimits).toEqual({ min: 2, max: 4 });
    expect(resolveOptions(options).accounts.map((a) => a.maxConcurrent)).toEqual([2, 3, 4, 2]);
    expect(() => optionsFromEnv({ SIM_HIDDEN_LIMITS: 'some' })).toThrow(/SIM_HIDDEN_LIMITS/);
    expect(() => resolveOptions({ hiddenLimits: { min: 0, max: 3 } })).toThrow(/hiddenLimits/);
  });
});
