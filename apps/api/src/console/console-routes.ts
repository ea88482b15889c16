import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * Where the console's files are: beside this module in the source tree, or in `console/`
 * beside the bundle that `pnpm build` writes (scripts/build.ts copies them there).
 */
function assetsDir(): string {
  const candidates = [new URL('./assets/', import.meta.url), new URL('./console/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(`${dir}index.html`));
  if (!found) throw new Error(`console files not found in ${candidates.join(' or ')}`);
  return found;
}

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;

/**
 * Scripts and styles only from flowq itself; pictures and videos from wherever a job's result
 * points (flowq's archive, the simulator, or Google's signed URLs).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: http: https:",
  "media-src 'self' blob: http: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** `/console`: a few static files; the page reads everything through the /v1 API with the key the person signs in with. */
export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const dir = assetsDir();
  const content = Object.fromEntries(Object.keys(FILES).map((name) => [name, readFileSync(`${dir}${name}`)])) as Record<keyof typeof FILES, Buffer>;
  const send = (name: keyof typeof FILES) => async (_req: unknown, reply: FastifyReply) =>
    reply
      .header('content-type', FILES[name])
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', name === 'index.html' ? 'no-cache' : 'public, max-age=300')
      .send(content[name]);
  app.get('/console', { schema: { hide: true } }, send('index.html'));
  app.get('/console/', { schema: { hide: true } }, send('index.html'));
  app.get('/console/console.js', { schema: { hide: true } }, send('console.js'));
  app.get('/console/console.css', { schema: { hide: true } }, send('console.css'));
};
