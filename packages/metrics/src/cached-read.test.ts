import { describe, expect, it } from 'vitest';
import { cachedRead } from './cached-read';

describe('cachedRead', () => {
  it('reads once per ttl and shares the answer', async () => {
    let t = 0;
    let reads = 0;
    const get = cachedRead(
      1000,
      async () => ++reads,
      () => t,
    );
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    t = 999;
    expect(await get()).toBe(1);
    t = 1000;
    expect(await get()).toBe(2);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const get = cachedRead(60_000, async () => {
      if (fail) throw new Error('postgres away');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('postgres away');
    fail = false;
    expect(await get()).toBe('ok');
  });
});
