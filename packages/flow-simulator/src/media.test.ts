import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_JPEG } from './media/jpeg';
import { mp4OfSize, SAMPLE_MP4 } from './media/mp4';
import type { FlowSimulator } from './server';
import { call, fastSimulator, submit, waitForStatus } from './test-support';

/** Top-level ISO-BMFF boxes as [type, size]; throws if sizes do not tile the file. */
function topLevelBoxes(file: Buffer): Array<[string, number]> {
  const boxes: Array<[string, number]> = [];
  let at = 0;
  while (at < file.length) {
    const size = file.readUInt32BE(at);
    if (size < 8 || at + size > file.length) throw new Error(`bad box size ${size} at ${at}`);
    boxes.push([file.toString('latin1', at + 4, at + 8), size]);
    at += size;
  }
  return boxes;
}

async function completedUrls(sim: FlowSimulator): Promise<{ video: string; thumb: string; jobid: string }> {
  const res = await submit(sim, { prompt: 'media', async: true });
  const done = await waitForStatus(sim, res.body.jobid, 'completed');
  const video = done.body.response.operations[0].operation.metadata.video;
  return { video: video.fifeUrl, thumb: video.servingBaseUri, jobid: res.body.jobid };
}

describe('sample media', () => {
  it('the MP4 is ISO-BMFF: ftyp, moov, mdat tiling the file, with an avc1 track', () => {
    expect(SAMPLE_MP4.toString('latin1', 4, 8)).toBe('ftyp');
    expect(topLevelBoxes(SAMPLE_MP4).map(([type]) => type)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(SAMPLE_MP4.includes(Buffer.from('avc1'))).toBe(true);
    expect(SAMPLE_MP4.includes(Buffer.from('avcC'))).toBe(true);
    expect(SAMPLE_MP4.length).toBeLessThan(16_384);
  });

  it('the stco offset points at the first sample in mdat', () => {
    const stco = SAMPLE_MP4.indexOf(Buffer.from('stco'));
    const offset = SAMPLE_MP4.readUInt32BE(stco + 12);
    const mdat = SAMPLE_MP4.indexOf(Buffer.from('mdat'));
    expect(offset).toBe(mdat + 4);
    // First sample: 4-byte length, then an IDR NAL unit (type 5).
    expect(SAMPLE_MP4[offset + 4]! & 0x1f).toBe(5);
  });

  it('grown to a few MB it is still one valid 8-second clip: boxes tile, sample sizes fill mdat, the extra bytes are filler NAL units', () => {
    const clip = mp4OfSize(4 * 1024 * 1024);
    expect(clip.length).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(clip.length).toBeLessThan(4 * 1024 * 1024 + 1024);
    const boxes = topLevelBoxes(clip);
    expect(boxes.map(([type]) => type)).toEqual(['ftyp', 'moov', 'mdat']);
    const stsz = clip.indexOf(Buffer.from('stsz'));
    const count = clip.readUInt32BE(stsz + 12);
    expect(count).toBe(64);
    let total = 0;
    for (let i = 0; i < count; i++) total += clip.readUInt32BE(stsz + 16 + 4 * i);
    expect(total).toBe(boxes[2]![1] - 8);
    // Every sample: a slice NAL, then one filler NAL (type 12) ending with the stop bit.
    const mdatStart = clip.readUInt32BE(clip.indexOf(Buffer.from('stco')) + 12);
    let at = mdatStart;
    for (let i = 0; i < count; i++) {
      const size = clip.readUInt32BE(stsz + 16 + 4 * i);
      const sliceLength = clip.readUInt32BE(at);
      expect(clip[at + 4]! & 0x1f).toBe(i === 0 ? 5 : 1);
      const fillerAt = at + 4 + sliceLength;
      expect(clip[fillerAt + 4]! & 0x1f).toBe(12);
      expect(4 + sliceLength + 4 + clip.readUInt32BE(fillerAt)).toBe(size);
      expect(clip[at + size - 1]).toBe(0x80);
      at += size;
    }
    expect(mp4OfSize(100)).toBe(SAMPLE_MP4);
  });

  it('the JPEG starts with SOI and ends with EOI', () => {
    expect([...SAMPLE_JPEG.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect([...SAMPLE_JPEG.subarray(-2)]).toEqual([0xff, 0xd9]);
  });
});

describe('media URLs', () => {
  let sim: FlowSimulator;
  afterEach(() => sim.close());

  it('serve the MP4 and JPEG without a bearer token', async () => {
    sim = await fastSimulator();
    const { video, thumb } = await completedUrls(sim);
    const mp4 = await fetch(video);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await mp4.arrayBuffer());
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    expect(bytes.equals(SAMPLE_MP4)).toBe(true);
    const jpg = await fetch(thumb);
    expect(jpg.headers.get('content-type')).toBe('image/jpeg');
    const jpgBytes = Buffer.from(await jpg.arrayBuffer());
    expect([jpgBytes[0], jpgBytes[1], jpgBytes.at(-2), jpgBytes.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
  });

  it('serve clips of the configured size', async () => {
    sim = await fastSimulator({ clipBytes: 3_000_000 });
    const { video } = await completedUrls(sim);
    const bytes = Buffer.from(await (await fetch(video)).arrayBuffer());
    expect(bytes.equals(mp4OfSize(3_000_000))).toBe(true);
  });

  it('answer 403 once expired, tampered or revoked; 404 when unknown', async () => {
    sim = await fastSimulator({ urlTtlMs: 150 });
    const { video } = await completedUrls(sim);
    expect((await fetch(video)).status).toBe(200);
    expect((await fetch(video.replace(/sig=[0-9a-f]/, 'sig=z'))).status).toBe(403);
    expect((await fetch(`${sim.origin}/media/00000000-0000-4000-8000-000000000000.mp4`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 200));
    const expired = await fetch(video);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');

    const fresh = await completedUrls(sim);
    sim.faults.expireMediaUrls();
    expect((await fetch(fresh.video)).status).toBe(403);
    // Signed at completion: reading the job again gives the same, dead URL.
    const again = await call(sim, 'GET', `/jobs/${fresh.jobid}`);
    expect(again.body.response.operations[0].operation.metadata.video.fifeUrl).toBe(fresh.video);
  });

  it('with urlSigning read, every read of the job signs afresh', async () => {
    sim = await fastSimulator({ urlSigning: 'read' });
    const { video, jobid } = await completedUrls(sim);
    sim.faults.expireMediaUrls();
    expect((await fetch(video)).status).toBe(403);
    const again = await call(sim, 'GET', `/jobs/${jobid}`);
    const refreshed = again.body.response.operations[0].operation.metadata.video.fifeUrl;
    expect(refreshed).not.toBe(video);
    expect((await fetch(refreshed)).status).toBe(200);
  });
});
