import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createFlowqMetrics, registerWorldGauges, type WorldFigures } from '@flowq/metrics';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promtoolPath } from './support/promtool';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

interface ComposeService {
  profiles?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  build?: unknown;
  command?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
const dashboard = JSON.parse(read('deploy/observability/grafana/dashboards/flowq.json')) as {
  uid: string;
  panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
};

/** Every series name a flowq process exposes, from a real registry (histograms with their suffixes). */
async function exposedNames(): Promise<Set<string>> {
  const metrics = createFlowqMetrics();
  const figures: WorldFigures = { jobs: [], accounts: [], waitingRoom: 0, queue: {}, creditsByModel: [] };
  registerWorldGauges(metrics.registry, async () => figures);
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

describe('observability files', () => {
  it('the compose profile starts Prometheus and Grafana with the config and dashboard mounted', () => {
    for (const name of ['prometheus', 'grafana']) {
      const service = compose.services[name]!;
      expect(service.profiles).toEqual(['observability']);
      for (const volume of service.volumes ?? []) {
        const [host] = volume.split(':');
        expect(existsSync(`${ROOT}${host!.replace(/^\.\//, '')}`), volume).toBe(true);
      }
    }
    // Services without a profile are the default stack; Prometheus can reach what it scrapes.
    expect(compose.services.api!.profiles).toBeUndefined();
    expect(compose.services.worker!.environment!.METRICS_PORT).toBe('9464');
    const prometheus = parse(read('deploy/observability/prometheus.yml')) as { scrape_configs: { job_name: string }[] };
    expect(prometheus.scrape_configs.map((s) => s.job_name)).toEqual(['flowq-api', 'flowq-worker']);
    expect(read('deploy/observability/prometheus.yml')).toMatch(/api:3000[\s\S]*port: 9464/);
    const home = compose.services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(home).toBe('/var/lib/grafana/dashboards/flowq.json');
  });

  it('Prometheus accepts its config (promtool check config)', () => {
    const run = spawnSync(promtoolPath(), ['check', 'config', `${ROOT}deploy/observability/prometheus.yml`], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('the production image runs node on compiled code as a non-root user, with a health check', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM .* AS build$/m);
    expect(dockerfile).toMatch(/pnpm build/);
    expect(dockerfile).toMatch(/deploy --legacy --prod/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).not.toMatch(/pnpm install|tsx/);
    for (const name of ['api', 'worker', 'migrate']) expect(compose.services[name]!.command![0]).toBe('node');
  });

  it('every dashboard query names metrics flowq exposes, from the provisioned data source', async () => {
    const names = await exposedNames();
    const datasources = parse(read('deploy/observability/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string }[] };
    const uid = datasources.datasources[0]!.uid;
    const queried = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queried.length).toBeGreaterThanOrEqual(15);
    const titles = queried.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['slots', 'jobs', 'errors', 'credits', 'p95']) expect(titles).toContain(topic);
    for (const panel of queried) {
      expect(panel.datasource?.uid, panel.title).toBe(uid);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        const used = expr.match(/\b(?:flowq|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
        expect(used.length, expr).toBeGreaterThan(0);
        for (const name of used) expect(names.has(name), `${panel.title}: ${name}`).toBe(true);
      }
    }
  });
});
