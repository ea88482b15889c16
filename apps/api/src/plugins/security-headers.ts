import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * helmet's headers for the pages a browser opens (/docs, /admin). Its CSP defaults fit
 * Bull Board (same-origin scripts; Google fonts and inline styles allowed); without
 * `upgrade-insecure-requests`, which would break both pages when flowq is served over
 * plain http on a private network.
 */
export async function registerSecurityHeaders(scope: FastifyInstance, opts: { csp: boolean }): Promise<void> {
  await scope.register(helmet, {
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    contentSecurityPolicy: opts.csp ? { directives: { 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': null } } : false,
  });
}

/** Swagger UI sets its own CSP (it knows the hashes of its inline scripts); this drops the https upgrade from it. */
export function withoutHttpsUpgrade(csp: string): string {
  return csp.replace(/\s*upgrade-insecure-requests;?/, '').trim();
}
