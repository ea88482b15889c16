import { describe, expect, it } from 'vitest';
import { modelRefusal, type ModelAccess, type ModelNeed } from './model-eligibility';

const pro: ModelAccess = { tier: 'pro', videoModels: null, deniedModels: {} };
const ultra: ModelAccess = { tier: 'ultra', videoModels: null, deniedModels: {} };

describe('modelRefusal', () => {
  it.each<{ name: string; account: ModelAccess; need: ModelNeed; expected: ReturnType<typeof modelRefusal> }>([
    { name: 'fast on pro', account: pro, need: { model: 'veo-3.1-fast' }, expected: null },
    { name: 'low-priority needs Ultra', account: pro, need: { model: 'veo-3.1-lite-low-priority' }, expected: 'tier' },
    { name: 'low-priority on Ultra', account: ultra, need: { model: 'veo-3.1-lite-low-priority' }, expected: null },
    { name: '4 s Veo needs Ultra', account: pro, need: { model: 'veo-3.1-fast', duration: 4 }, expected: 'tier' },
    { name: '6 s Veo on Ultra', account: ultra, need: { model: 'veo-3.1-lite', duration: 6 }, expected: null },
    { name: '4 s omni on pro', account: pro, need: { model: 'omni-flash', duration: 4 }, expected: null },
    { name: 'not in the account list', account: { ...pro, videoModels: ['veo-3.1-fast'] }, need: { model: 'omni-flash' }, expected: 'not_listed' },
    { name: 'in the account list', account: { ...pro, videoModels: ['veo-3.1-fast', 'omni-flash'] }, need: { model: 'omni-flash' }, expected: null },
    {
      name: 'denied although listed',
      account: { ...pro, videoModels: ['veo-3.1-quality'], deniedModels: { 'veo-3.1-quality': '2026-11-27T00:00:00Z' } },
      need: { model: 'veo-3.1-quality' },
      expected: 'denied',
    },
    { name: 'a denial of another model', account: { ...pro, deniedModels: { 'veo-3.1-quality': 'x' } }, need: { model: 'veo-3.1-fast' }, expected: null },
    { name: 'retired model', account: ultra, need: { model: 'veo-3.1-fast-relaxed' }, expected: 'unknown_model' },
  ])('$name', ({ account, need, expected }) => {
    expect(modelRefusal(account, need)).toBe(expected);
  });
});
