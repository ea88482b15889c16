import { describe, expect, it } from 'vitest';
import { canExtendWith, extendCreditsFor, upscaleCreditsFor, upscaleTiersFor } from './video-edit-catalog';

describe('video edit catalog', () => {
  it.each([
    ['1080p', 0, ['ultra', 'pro']],
    ['4K', 50, ['ultra']],
  ] as const)('upscale to %s costs %d credits, on %j', (resolution, credits, tiers) => {
    expect(upscaleCreditsFor(resolution)).toBe(credits);
    expect(upscaleTiersFor(resolution)).toEqual(tiers);
  });

  it.each([
    ['veo-3.1-fast', 1, 'pro', 20],
    ['veo-3.1-fast', 2, 'ultra', 20],
    ['veo-3.1-lite', 1, 'pro', 10],
    ['veo-3.1-quality', 1, 'ultra', 100],
    ['veo-3.1-lite-low-priority', 3, 'ultra', 0],
  ] as const)('extend with %s x%d on %s costs %d (an 8 s clip)', (model, count, tier, credits) => {
    expect(extendCreditsFor({ model, count }, tier)).toBe(credits);
  });

  it('only Veo models extend', () => {
    expect(canExtendWith('veo-3.1-fast')).toBe(true);
    expect(canExtendWith('omni-flash')).toBe(false);
  });
});
