import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountOfMediaId } from '@flowq/core';
import { SAMPLE_JPEG } from './media/jpeg';
import type { FlowSimulator } from './server';
import { call, fastSimulator, PRO, submit, ULTRA } from './test-support';

function png(width: number, height: number): Uint8Array {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

function webp(width: number, height: number): Uint8Array {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBPVP8X', 8, 'latin1');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

describe('POST /assets/{email}', () => {
  let sim: FlowSimulator;
  beforeAll(async () => {
    sim = await fastSimulator();
  });
  afterAll(() => sim.close());

  const upload = (email: string, bytes: Uint8Array, type?: string) => call(sim, 'POST', `/assets/${encodeURIComponent(email)}`, { raw: { bytes, type } });

  it.each([
    ['image/png', png(1280, 720), 1280, 720],
    ['image/jpeg', SAMPLE_JPEG, 64, 36],
    ['image/webp', webp(300, 200), 300, 200],
  ])('accepts %s and reports its size', async (type, bytes, width, height) => {
    const res = await upload(PRO, bytes, type);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ width, height, email: PRO });
    const id: string = res.body.mediaGenerationId.mediaGenerationId;
    expect(id).toMatch(/^user:\d+-email:[0-9a-f]+-image:[0-9a-f-]{36}$/);
    expect(accountOfMediaId(id)).toBe(PRO);
  });

  it('refuses other types, broken images, too large bodies and unknown accounts', async () => {
    expect((await upload(PRO, png(1, 1), 'image/gif')).status).toBe(400);
    expect((await upload(PRO, png(1, 1), 'text/plain')).status).toBe(400);
    expect((await upload(PRO, png(1, 1))).status).toBe(400);
    expect((await upload(PRO, Buffer.from('not a png'), 'image/png')).body).toEqual({ error: 'Invalid image data for Content-Type image/png' });
    const big = Buffer.alloc(20 * 1024 * 1024 + 1);
    Buffer.from(png(10, 10)).copy(big);
    expect(await upload(PRO, big, 'image/png')).toMatchObject({ status: 400, body: { error: 'Image exceeds the 20 MB limit' } });
    expect(await upload('nobody@flowq.test', png(1, 1), 'image/png')).toMatchObject({
      status: 404,
      body: { error: 'Google Flow account nobody@flowq.test not found' },
    });
  });

  it('an uploaded image runs on its account, and another email is refused with 403', async () => {
    const id: string = (await upload(PRO, png(640, 360), 'image/png')).body.mediaGenerationId.mediaGenerationId;
    const ok = await submit(sim, { prompt: 'from image', startImage: id, async: true });
    expect(ok.status).toBe(201);
    expect(ok.body.jobid).toContain(`email:${PRO}`);
    const mixed = await submit(sim, { prompt: 'wrong account', startImage: id, email: ULTRA });
    expect(mixed.status).toBe(403);
    expect(mixed.body.error).toMatch(/^Unauthorized access to user:\d+ detected in reference user:/);
  });

  it('holds each uploaded asset on the account it went to, and no other', async () => {
    const before = sim.assetsOf(ULTRA).length;
    const id: string = (await upload(ULTRA, png(64, 64), 'image/png')).body.mediaGenerationId.mediaGenerationId;
    expect(sim.assetsOf(ULTRA)).toHaveLength(before + 1);
    expect(sim.assetsOf(ULTRA)).toContain(id);
    expect(sim.assetsOf(PRO)).not.toContain(id);
    expect((await submit(sim, { prompt: 'held', email: ULTRA, referenceImage_1: id, async: true })).status).toBe(201);
    expect((await submit(sim, { prompt: 'not held', email: PRO, referenceImage_1: id })).status).toBe(403);
  });

  it('answers an armed upload fault instead, and a connection reset keeps the asset but loses the answer', async () => {
    sim.faults.failNextSubmits({ kind: 'throttled', endpoint: 'assets', email: PRO });
    sim.faults.failNextSubmits({ kind: 'unsafe', endpoint: 'assets', email: PRO });
    const throttled = await upload(PRO, png(64, 64), 'image/png');
    expect(throttled.status).toBe(429);
    const unsafe = await upload(PRO, png(64, 64), 'image/png');
    expect(unsafe.status).toBe(400);
    expect(JSON.stringify(unsafe.body)).toContain('PUBLIC_ERROR_UNSAFE_GENERATION');
    sim.faults.failNextSubmits({ kind: 'connection-reset', endpoint: 'assets', email: PRO });
    const before = sim.assetsOf(PRO).length;
    await expect(upload(PRO, png(64, 64), 'image/png')).rejects.toThrow();
    expect(sim.assetsOf(PRO)).toHaveLength(before + 1);
    expect((await upload(PRO, png(64, 64), 'image/png')).status).toBe(200);
  });
});

describe('GET /accounts', () => {
  let sim: FlowSimulator;
  beforeAll(async () => {
    sim = await fastSimulator();
  });
  afterAll(() => sim.close());

  it('lists accounts keyed by email with health and session times', async () => {
    const res = await call(sim, 'GET', '/accounts');
    expect(Object.keys(res.body)).toEqual([ULTRA, PRO]);
    const entry = res.body[ULTRA];
    expect(entry.health).toBe('OK');
    expect(Date.parse(entry.created)).not.toBeNaN();
    expect(Date.parse(entry.sessionData.expires)).toBeGreaterThan(Date.now());
    expect(Date.parse(entry.nextRefresh.scheduledFor)).toBeGreaterThan(Date.now());
  });

  it('details one account with credits, tier and models; 404 when unknown', async () => {
    const ultra = await call(sim, 'GET', `/accounts/${ULTRA}`);
    expect(ultra.body.credits).toEqual({ credits: 25_000, userPaygateTier: 'PAYGATE_TIER_TWO' });
    const keys = (body: any) => body.models.videoModels.map((m: any) => m.key);
    expect(keys(ultra.body)).toContain('veo-3.1-lite-low-priority');
    expect(ultra.body.models.videoModels.find((m: any) => m.key === 'veo-3.1-fast')).toMatchObject({
      creditCost: 10,
      supportedAspectRatios: expect.arrayContaining(['1:1']),
    });
    const pro = await call(sim, 'GET', `/accounts/${encodeURIComponent(PRO)}`);
    expect(pro.body.credits).toEqual({ credits: 1000, userPaygateTier: 'PAYGATE_TIER_ONE' });
    expect(keys(pro.body)).not.toContain('veo-3.1-lite-low-priority');
    expect(pro.body.models.videoModels.find((m: any) => m.key === 'veo-3.1-fast')).toMatchObject({ creditCost: 20 });
    expect(await call(sim, 'GET', '/accounts/nobody@flowq.test')).toMatchObject({
      status: 404,
      body: { error: 'Google Flow account nobody@flowq.test not found' },
    });
  });
});
