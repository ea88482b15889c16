import { afterEach, describe, expect, it } from 'vitest';
import type { FlowSimulator } from './server';
import { fastSimulator, submit, waitForStatus } from './test-support';

describe('completed response shapes', () => {
  let sim: FlowSimulator;
  afterEach(() => sim.close());

  it('media shape: response.media[] with URLs, generatedVideo and mediaStatus', async () => {
    sim = await fastSimulator({ responseShape: 'media' });
    const res = await submit(sim, { prompt: 'newer shape [[fail-clip]]', count: 2, seed: 3, async: true });
    const done = await waitForStatus(sim, res.body.jobid, 'completed');
    expect(done.body.response.operations).toBeUndefined();
    expect(done.body.response.remainingCredits).toBe(25_000 - 20);
    const media = done.body.response.media;
    expect(media).toHaveLength(2);
    const ok = media.find((m: any) => m.mediaMetadata.mediaStatus.mediaGenerationStatus === 'MEDIA_GENERATION_STATUS_SUCCESSFUL');
    const failed = media.find((m: any) => m.mediaMetadata.mediaStatus.mediaGenerationStatus === 'MEDIA_GENERATION_STATUS_FAILED');
    expect(ok).toMatchObject({
      mediaGenerationId: expect.stringMatching(/-video:/),
      videoUrl: expect.stringContaining('.mp4?'),
      thumbnailUrl: expect.stringContaining('.jpg?'),
      video: { generatedVideo: { prompt: 'newer shape [[fail-clip]]', model: 'veo_3_1_t2v', aspectRatio: 'VIDEO_ASPECT_RATIO_LANDSCAPE' } },
    });
    expect([3, 4]).toContain(ok.video.generatedVideo.seed);
    expect(failed.videoUrl).toBeUndefined();
    expect((await fetch(ok.videoUrl)).status).toBe(200);

    const sync = await submit(sim, { prompt: 'sync media' });
    expect(sync.body.jobId).toBeDefined();
    expect(sync.body.media).toHaveLength(1);
  });

  it('mixed shape: jobs alternate between the two shapes, as the seed decides', async () => {
    sim = await fastSimulator({ responseShape: 'mixed', maxConcurrentPerAccount: 10 });
    const jobids: string[] = [];
    for (let i = 0; i < 8; i++) jobids.push((await submit(sim, { prompt: `m${i}`, async: true })).body.jobid);
    const shapes = [];
    for (const jobid of jobids) {
      const done = await waitForStatus(sim, jobid, 'completed');
      shapes.push(done.body.response.media ? 'media' : 'operations');
      expect(shapes.at(-1)).toBe(sim.inspectJob(jobid)!.plan.shape);
    }
    expect(new Set(shapes)).toEqual(new Set(['media', 'operations']));
  });

  it('setResponseShape switches the shape of jobs accepted afterwards', async () => {
    sim = await fastSimulator();
    sim.faults.setResponseShape('media');
    const res = await submit(sim, { prompt: 'switched', async: true });
    expect((await waitForStatus(sim, res.body.jobid, 'completed')).body.response.media).toHaveLength(1);
  });
});
