/**
 * `pnpm bench <name> [--json] [flags]`: runs bench/<name>.ts, whose default export is
 * `run({ json, args })`. The bench prints its own table; with --json the last stdout line
 * is the result object, so scripts can `tail -1` it. `pnpm bench` alone lists the benches.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench } from './lib/bench';

const here = dirname(fileURLToPath(import.meta.url));
/** Files in bench/ that are not benches. */
const NOT_BENCHES = new Set(['run.ts', 'bare-queue-server.ts', 'bare-durable-server.ts', 'naive-worker.ts']);

function availableBenches(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !NOT_BENCHES.has(f))
    .map((f) => f.slice(0, -3))
    .sort();
}

const [name, ...rest] = process.argv.slice(2).filter((a) => a !== '--');
const benches = availableBenches();
if (!name || name.startsWith('-')) {
  console.log(`usage: pnpm bench <name> [--json] [flags]\n\navailable benches:\n${benches.map((b) => `  ${b}`).join('\n')}`);
  process.exit(name ? 1 : 0);
}
if (!benches.includes(name)) {
  console.error(`unknown bench "${name}"; available: ${benches.join(', ')}`);
  process.exit(1);
}

const json = rest.includes('--json');
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { default?: Bench };
if (typeof mod.default !== 'function') {
  console.error(`bench/${name}.ts has no default export run(opts)`);
  process.exit(1);
}
try {
  const result = await mod.default({ json, args: rest.filter((a) => a !== '--json') });
  if (json) console.log(JSON.stringify(result));
  process.exit(0);
} catch (err) {
  console.error(`bench ${name} failed:`, err);
  process.exit(1);
}
