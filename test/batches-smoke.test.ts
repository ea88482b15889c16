import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp } from '../apps/api/src/test-app';
let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => { t = await buildTestApp('smoke'); });
afterAll(async () => t.close());
it('smoke', async () => {
  const csv = '\uFEFFPrompt;REF;Model;tag\r\n"a ""fox""; in\nsnow";r1;veo-3.1-quality;x\r\nplain;r2;;y\r\n';
  const res = await t.app.inject({ method: 'POST', url: '/v1/batches?name=n', headers: { ...t.auth, 'content-type': 'text/csv' }, payload: csv });
  console.log(res.statusCode, res.body);
  const id = res.json().id;
  console.log((await t.app.inject({ url: `/v1/batches/${id}`, headers: t.auth })).body);
  console.log((await t.app.inject({ url: `/v1/batches/${id}/results`, headers: t.auth })).body);
  console.log((await t.app.inject({ url: `/v1/batches/${id}/results?format=json`, headers: t.auth })).body);
  console.log((await t.app.inject({ url: `/v1/batches/${id}/jobs`, headers: t.auth })).body.slice(0, 500));
  expect(res.statusCode).toBe(201);
});
