/**
 * `pnpm test:faults [--short] [--json]`: the fault-injection runs at full scale (500 jobs, 20
 * kill -9s, 30 s outages) and the abuse suite (abuse.long.test.ts) through vitest, then the
 * tables of what was injected and measured.
 * With --json the last line is one JSON object: { jobs, faults, lost, duplicatedSubmissions,
 * maxRequestsPerJob, ok }.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, totalFaults, type ScenarioReport } from './fault-metrics';

const args = process.argv.slice(2);
const json = args.includes('--json');
const scale = args.includes('--short') ? 'short' : 'full';
const dir = mkdtempSync(join(tmpdir(), 'flowq-faults-'));
const reportFile = join(dir, 'report.json');
const abuseFile = join(dir, 'abuse.md');
const root = fileURLToPath(new URL('../..', import.meta.url));

const run = spawnSync('pnpm', ['exec', 'vitest', 'run', '--config', 'test/faults/vitest.config.ts'], {
  cwd: root,
  env: { ...process.env, FAULTS_SCALE: scale, FAULTS_REPORT: reportFile, ABUSE_REPORT: abuseFile },
  // With --json, vitest's own output goes to stderr so stdout ends with the JSON line.
  stdio: ['ignore', json ? process.stderr : 'inherit', 'inherit'],
});

const reports: ScenarioReport[] = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as ScenarioReport[]) : [];
const abuseTable = existsSync(abuseFile) ? readFileSync(abuseFile, 'utf8') : null;
rmSync(dir, { recursive: true, force: true });
const summary = {
  jobs: reports.reduce((a, r) => a + r.jobs, 0),
  faults: reports.reduce((a, r) => a + totalFaults(r), 0),
  lost: reports.reduce((a, r) => a + r.lost, 0),
  duplicatedSubmissions: reports.reduce((a, r) => a + r.duplicatedSubmissions, 0),
  maxRequestsPerJob: reports.reduce((a, r) => Math.max(a, r.maxRequestsPerJob), 0),
  ok: run.status === 0 && reports.length === 2 && abuseTable !== null,
};
const out = json ? process.stderr : process.stdout;
out.write(`\n${reports.length ? formatTable(reports) : '(no report: the runs did not finish)'}\n`);
out.write(`\nAbuse suite (docs/reliability.md):\n${abuseTable ?? '(no report: the abuse suite did not finish)'}\n`);
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(summary.ok ? 0 : 1);
