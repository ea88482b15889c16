/**
 * One contract, two upstreams: the Flow simulator over real HTTP (always), and the real
 * useapi.net when `USEAPI_CONTRACT=1` and `USEAPI_TOKEN` are set. The real run spends credits
 * (one veo-3.1-fast clip, 10 credits, unless `USEAPI_CONTRACT_MODEL` says otherwise) and takes minutes.
 * Optional: `USEAPI_BASE_URL`, `USEAPI_EMAIL` (default: the first healthy account).
 */
import { videoRequestSchema, type VideoRequestInput } from '@flowq/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlowSimulator } from '@flowq/flow-simulator';
import { classifyAnswer } from './classify-answer';
import { isJobid } from './jobid';
import type { UpstreamJobRecord } from './schemas/job-record';
import type { UpstreamAnswer } from './upstream-answer';
import { createUseapiClient, type UseapiClient } from './useapi-client';
import { videosOf } from './videos-of';

interface ContractTarget {
  client: UseapiClient;
  /** A healthy account to submit to. */
  email: string;
  model: VideoRequestInput['model'];
  pollMs: number;
  completeWithinMs: number;
  close(): Promise<void>;
}

const request = (input: VideoRequestInput) => videoRequestSchema.parse(input);

async function followToEnd(target: ContractTarget, jobid: string): Promise<UpstreamJobRecord> {
  const deadline = Date.now() + target.completeWithinMs;
  for (;;) {
    const answer = await target.client.getJob(jobid);
    if (!answer.ok) throw new Error(`getJob answered ${answer.status}: ${answer.error.message}`);
    if (answer.data.status === 'completed' || answer.data.status === 'failed') return answer.data;
    if (Date.now() > deadline) throw new Error(`job ${jobid} still ${answer.data.status} after ${target.completeWithinMs} ms`);
    await new Promise((r) => setTimeout(r, target.pollMs));
  }
}

function errorBodyOf(answer: UpstreamAnswer<unknown>): unknown {
  return answer.ok ? undefined : answer.error.raw;
}

function defineContract(name: string, skip: boolean, open: () => Promise<ContractTarget>, testTimeoutMs: number) {
  describe.skipIf(skip)(`useapi contract: ${name}`, () => {
    let target: ContractTarget;
    beforeAll(async () => {
      target = await open();
    }, 60_000);
    afterAll(async () => {
      await target?.close();
    });

    it('listAccounts and getAccount parse, and the account is healthy', async () => {
      const list = await target.client.listAccounts();
      expect(list).toMatchObject({ ok: true, status: 200 });
      if (!list.ok) return;
      expect(list.data.map((a) => a.email)).toContain(target.email);

      const one = await target.client.getAccount(target.email);
      expect(one).toMatchObject({ ok: true, status: 200, data: { email: target.email, health: 'OK', healthy: true } });
      // The models the account may run (2026: models.videoModels[]; 2025: a list of ids).
      if (one.ok && one.data.videoModels) expect(one.data.videoModels.map((m) => m.key)).toContain(target.model);
    });

    it('an unknown account is a 404 on getAccount and on submit', async () => {
      const stranger = `nobody-${Date.now()}@flowq.invalid`;
      const account = await target.client.getAccount(stranger);
      expect(account).toMatchObject({ ok: false, status: 404 });
      expect(classifyAnswer(account, { now: new Date(), operation: 'getAccount' })).toMatchObject({ type: 'account_missing' });

      const submit = await target.client.submitVideo(request({ prompt: 'a red ball bouncing', email: stranger, model: target.model }));
      expect(submit).toMatchObject({ ok: false, status: 404 });
      expect(errorBodyOf(submit)).toMatchObject({ error: expect.any(String) });
    });

    it('a request breaking the mode rules is a 400 with a string error', async () => {
      // Bypasses flowq's own validation on purpose: the upstream must refuse it too.
      const invalid = {
        ...request({ prompt: 'a red ball bouncing', email: target.email, model: 'veo-3.1-fast' }),
        aspectRatio: 'portrait' as const,
        referenceImage_1: 'not-an-asset',
      };
      const answer = await target.client.submitVideo(invalid);
      expect(answer).toMatchObject({ ok: false, status: 400, error: { kind: 'http' } });
      expect(errorBodyOf(answer)).toMatchObject({ error: expect.any(String) });
      expect(classifyAnswer(answer, { now: new Date() })).toMatchObject({ type: 'permanent', code: 'invalid_request' });
    });

    it(
      'submit async answers 201 with a documented jobid, and the job completes with count videos',
      async () => {
        const count = 2;
        const submitted = await target.client.submitVideo(
          request({ prompt: 'A serene mountain landscape at sunset, camera slowly panning right', email: target.email, model: target.model, count, seed: 42 }),
        );
        expect(submitted).toMatchObject({ ok: true, status: 201, data: { type: 'video', status: expect.stringMatching(/^(created|started)$/) } });
        if (!submitted.ok) return;
        expect(isJobid(submitted.data.jobid), submitted.data.jobid).toBe(true);
        expect(submitted.data.request).toMatchObject({ prompt: expect.any(String) });

        const done = await followToEnd(target, submitted.data.jobid);
        expect(done).toMatchObject({ jobid: submitted.data.jobid, status: 'completed' });
        const { videos } = videosOf(done);
        expect(videos).toHaveLength(count);
        for (const v of videos) {
          expect(v.status).toBe('succeeded');
          expect(new URL(v.url).protocol).toMatch(/^https?:$/);
          expect(v.mediaGenerationId).toEqual(expect.any(String));
        }
      },
      testTimeoutMs,
    );

    it('an unknown job is not a crash: 404 or 410, read as a lost upstream job', async () => {
      const jobid = `j${Date.now()}v-u1-email:${target.email}-bot:google-flow`;
      const answer = await target.client.getJob(jobid);
      expect(answer.ok).toBe(false);
      expect([404, 410]).toContain(answer.status);
      expect(classifyAnswer(answer, { now: new Date(), operation: 'getJob' })).toMatchObject({ type: 'upstream_lost' });
    });
  });
}

const SIM_EMAIL = 'contract-1@flowq.test';
const SIM_TOKEN = 'sim-contract-token';

for (const variant of [
  { name: '2026 API, media[] and operations[]', apiVersion: '2026' },
  { name: '2026 API, media[] only', apiVersion: '2026', responseShape: 'media' },
  { name: '2025 API, operations[]', apiVersion: '2025' },
] as const) {
  defineContract(
    `Flow simulator (${variant.name})`,
    false,
    async () => {
      const sim = await startFlowSimulator({
        ...variant,
        port: 0,
        token: SIM_TOKEN,
        accounts: [{ email: SIM_EMAIL, tier: 'ultra' }],
        generationMs: { min: 50, max: 150 },
        startDelayMs: 20,
        seed: 'useapi-contract',
      });
      return {
        client: createUseapiClient({ baseUrl: sim.baseUrl, token: SIM_TOKEN, timeoutMs: 5_000 }),
        email: SIM_EMAIL,
        model: 'veo-3.1-fast',
        pollMs: 50,
        completeWithinMs: 10_000,
        close: () => sim.close(),
      };
    },
    20_000,
  );
}

const realToken = process.env.USEAPI_TOKEN;
defineContract(
  'useapi.net',
  !(realToken && process.env.USEAPI_CONTRACT === '1'),
  async () => {
    const client = createUseapiClient({ baseUrl: process.env.USEAPI_BASE_URL ?? 'https://api.useapi.net/v1/google-flow', token: realToken ?? '' });
    let email = process.env.USEAPI_EMAIL;
    if (!email) {
      const accounts = await client.listAccounts();
      email = accounts.ok ? accounts.data.find((a) => a.healthy)?.email : undefined;
      if (!email) throw new Error('no healthy Google Flow account on this useapi.net token');
    }
    return {
      client,
      email,
      model: (process.env.USEAPI_CONTRACT_MODEL as VideoRequestInput['model']) ?? 'veo-3.1-fast',
      // useapi's own samples poll every 15 s; generation takes 60-180 s.
      pollMs: 15_000,
      completeWithinMs: 10 * 60_000,
      close: async () => {},
    };
  },
  12 * 60_000,
);
