import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RETIRED_VIDEO_MODELS, VIDEO_MODEL_IDS } from '@flowq/core';
import { describe, expect, it } from 'vitest';

describe('docs/models.md', () => {
  it('lists every model of the catalog and every retired one', async () => {
    const text = await readFile(join(import.meta.dirname, '..', 'docs', 'models.md'), 'utf8');
    for (const model of [...VIDEO_MODEL_IDS, ...Object.keys(RETIRED_VIDEO_MODELS)]) expect(text).toContain(`\`${model}\``);
  });
});
