import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from './env';

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
});
