/**
 * The scheduler bench's baseline: what a team writes first. One BullMQ worker with a single
 * global concurrency limit (40 = 10 accounts x 4), accounts taken in turn with no idea how
 * busy each is, each job holding its slot while it polls, and 429/503 retried after a short
 * jittered wait. Not part of flowq; started by bench/scheduler.ts as its own process.
 */
import { createUseapiClient } from '@flowq/useapi-client';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const env = process.env;
const accounts = (env.NAIVE_ACCOUNTS ?? '').split(',').filter(Boolean);
const prefix = env.NAIVE_PREFIX!;
const retryMin = Number(env.NAIVE_RETRY_MIN_MS ?? 250);
const retryMax = Number(env.NAIVE_RETRY_MAX_MS ?? 500);
const pollMs = Number(env.NAIVE_POLL_MS ?? 20);
const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
const client = createUseapiClient({ baseUrl: env.USEAPI_BASE_URL!, token: env.USEAPI_TOKEN! });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let turn = 0;

const worker = new Worker(
  'naive',
  async (job) => {
    for (;;) {
      const email = accounts[turn++ % accounts.length]!;
      const answer = await client.submitVideo({ prompt: String(job.data.prompt), model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1, email });
      if (!answer.ok) {
        await sleep(retryMin + Math.random() * (retryMax - retryMin));
        continue;
      }
      for (;;) {
        await sleep(pollMs);
        const rec = await client.getJob(answer.data.jobid);
        if (rec.ok && (rec.data.status === 'completed' || rec.data.status === 'failed')) {
          await redis.incr(`${prefix}:done`);
          return;
        }
      }
    }
  },
  { connection: redis, prefix, concurrency: Number(env.NAIVE_CONCURRENCY ?? 40) },
);
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
