import { hash32 } from '@flowq/core';
/**
 * Seeded randomness. Every random choice of the simulator comes from a stream derived from
 * the run's seed and a label (`job:7`, `callbacks`), so the n-th job of a run draws the same
 * values whatever the timing of the other streams: same seed, same submissions, same run.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string;
  /** An RFC 4122 version-4 shaped uuid. */
  uuid(): string;
}

export function createRng(seed: number | string, label = ''): Rng {
  let state = hash32(`${seed}:${label}`);
  // mulberry32: small, fast, and good enough for test fixtures.
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (bytes: number): string => {
    let out = '';
    for (let i = 0; i < bytes; i++)
      out += Math.floor(next() * 256)
        .toString(16)
        .padStart(2, '0');
    return out;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    hex,
    uuid: () => {
      const h = hex(16);
      const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
