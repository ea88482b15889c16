/**
 * `pnpm build`: compiles each app to one JavaScript file with esbuild. flowq's own packages
 * (@flowq/*) are compiled in; every other package stays an import, installed at deploy time
 * with production dependencies only (`pnpm deploy --prod`, see the Dockerfile). Files the
 * code reads at run time (migrations, the console's pages) are copied beside the bundle.
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bare imports other than @flowq/* stay imports: node resolves them from the deployed node_modules. */
const thirdPartyExternal: Plugin = {
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@flowq/') ? undefined : { path: args.path, external: true }));
  },
};

const apps: { name: string; entries: Record<string, string>; assets: [string, string][] }[] = [
  {
    name: 'api',
    entries: { main: 'apps/api/src/main.ts', migrate: 'scripts/migrate.ts' },
    assets: [
      ['drizzle', 'drizzle'],
      ['apps/api/src/console/assets', 'console'],
    ],
  },
  { name: 'worker', entries: { main: 'apps/worker/src/main.ts' }, assets: [['drizzle', 'drizzle']] },
];

for (const app of apps) {
  const outdir = `${root}apps/${app.name}/dist`;
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(app.entries).map(([out, src]) => [out, `${root}${src}`])),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    plugins: [thirdPartyExternal],
    logLevel: 'warning',
  });
  for (const [from, to] of app.assets) cpSync(`${root}${from}`, `${outdir}/${to}`, { recursive: true });
  process.stdout.write(`built apps/${app.name}/dist (${Object.keys(app.entries).join(', ')})\n`);
}
