import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

describe('code style', () => {
  // CI runs the README's test command only, so the formatter and linter gate it from here.
  it('passes the Biome formatter and linter (`pnpm format` fixes most findings)', () => {
    const run = spawnSync(resolve(root, 'node_modules/.bin/biome'), ['ci', '--colors=off', '.'], { cwd: root, encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  });
});
