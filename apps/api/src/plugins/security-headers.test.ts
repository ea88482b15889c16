import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('security-headers');
});
afterAll(async () => t?.close());

describe('limits and answers that leak nothing', () => {
  it('sets security headers on /docs and /admin, with a CSP both pages load under', async () => {
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    expect(docs.headers['x-frame-options']).toBe('DENY');
    expect(docs.headers['referrer-policy']).toBe('no-referrer');
    // Every inline script of the page is allowed by its hash; every other one is same-origin.
    const html = docs.body;
    for (const [, attrs, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      if (/src=/.test(attrs!)) expect(attrs).not.toMatch(/src="(https?:)?\/\//);
      else if (body!.trim()) expect(csp).toContain(`'sha256-${createHash('sha256').update(body!).digest('base64')}'`);
    }
    const initializer = await t.app.inject('/docs/static/swagger-initializer.js');
    expect(initializer.statusCode).toBe(200);
    expect(initializer.headers['content-security-policy']).toBeDefined();

    const right = `Basic ${Buffer.from('admin:board-pw').toString('base64')}`;
    const board = await t.app.inject({ url: '/admin/queues', headers: { authorization: right } });
    expect(board.statusCode).toBe(200);
    const boardCsp = String(board.headers['content-security-policy']);
    expect(boardCsp).toMatch(/script-src 'self'/);
    expect(boardCsp).toMatch(/frame-ancestors 'none'/);
    expect(boardCsp).not.toMatch(/upgrade-insecure-requests/);
    expect(board.headers['x-frame-options']).toBe('DENY');
    for (const [, attrs, body] of board.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      // Bull Board runs only its own files; its one inline block is JSON data, which CSP does not execute.
      if (body!.trim()) expect(attrs).toMatch(/type="application\/json"/);
      else expect(attrs).toMatch(/src="static\//);
    }
    const boardJs = board.body.match(/src="(static\/js\/main[^"]+)"/)![1];
    expect((await t.app.inject({ url: `/admin/queues/${boardJs}`, headers: { authorization: right } })).statusCode).toBe(200);
    // The JSON API keeps no HTML headers it does not need, and the unauthenticated board page shows nothing.
    expect((await t.app.inject('/admin/queues')).statusCode).toBe(401);
  });
});
