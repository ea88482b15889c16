import { describe, expect, it } from 'vitest';
import { createRng } from './rng';
import { fastSimulator, submit, waitForStatus } from './test-support';

/** Submits the same script to a fresh simulator and returns what randomness decided. */
async function run(seed: number) {
  const sim = await fastSimulator({ seed, generationMs: { min: 20, max: 90 }, responseShape: 'mixed', maxConcurrentPerAccount: 10 });
  try {
    const out = [];
    for (let i = 0; i < 5; i++) {
      const res = await submit(sim, { prompt: `scene ${i} [[fail-clip]]`, count: 3, async: true });
      const done = await waitForStatus(sim, res.body.jobid, 'completed');
      const plan = sim.inspectJob(res.body.jobid)!.plan;
      const clips = done.body.response.operations ?? done.body.response.media;
      out.push({ plan, ids: clips.map((c: any) => c.mediaGenerationId ?? null) });
    }
    return out;
  } finally {
    await sim.close();
  }
}

describe('seeded randomness', () => {
  it('the same seed gives the same generation times, seeds, ids and failures', async () => {
    const [a, b, c] = await Promise.all([run(1234), run(1234), run(999)]);
    expect(a).toEqual(b);
    expect(a.map((j) => j.plan.generationMs)).not.toEqual(c.map((j) => j.plan.generationMs));
    for (const job of a) {
      expect(job.plan.generationMs).toBeGreaterThanOrEqual(20);
      expect(job.plan.generationMs).toBeLessThanOrEqual(90);
    }
  });

  it('streams with different labels are independent, and uuids are v4-shaped', () => {
    const x = createRng(1, 'job:1');
    const y = createRng(1, 'job:2');
    expect([x.next(), x.next()]).not.toEqual([y.next(), y.next()]);
    expect(createRng(5, 'a').uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const r = createRng('s');
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 5);
      expect(v >= 3 && v <= 5).toBe(true);
    }
  });
});
