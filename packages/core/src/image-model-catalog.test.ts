import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_MODEL, imageCreditsFor, IMAGE_MODEL_IDS, resolveImageModel } from './image-model-catalog';

describe('image model catalog', () => {
  it.each([
    ['nano-banana-2-lite', 'nano-banana-2-lite'],
    ['nano-banana-2', 'nano-banana-2'],
    ['nano-banana-pro', 'nano-banana-pro'],
    ['imagen-4', 'nano-banana-2-lite'],
    ['nano-banana', 'nano-banana-2'],
    ['imagen-3', null],
    ['veo-3.1-fast', null],
    ['toString', null],
  ])('%s means %s', (name, model) => {
    expect(resolveImageModel(name)).toBe(model);
  });

  it('the default is nano-banana-2-lite and every model costs 0 credits whatever the count', () => {
    expect(DEFAULT_IMAGE_MODEL).toBe('nano-banana-2-lite');
    for (const model of IMAGE_MODEL_IDS) for (const count of [1, 4]) expect(imageCreditsFor({ model, count })).toBe(0);
  });
});
