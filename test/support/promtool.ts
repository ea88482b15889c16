import { execFileSync, spawnSync } from 'node:child_process';

/** Path of Prometheus' `promtool` (Debian package `prometheus`; .ci/run installs it). Throws, saying how to get it, when missing. */
export function promtoolPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v promtool || ls /usr/bin/promtool'], { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    throw new Error('promtool not found: apt-get update && apt-get install -y prometheus (or put promtool on PATH)');
  }
}

/** `promtool check metrics` on a scrape: its exit status and what it complained about. */
export function checkMetrics(text: string): { status: number | null; problems: string } {
  const run = spawnSync(promtoolPath(), ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, problems: `${run.stdout}${run.stderr}`.trim() };
}

/** The value of one sample, e.g. `sample(text, 'flowq_jobs', { status: 'succeeded' })`; undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}
