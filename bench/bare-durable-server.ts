/**
 * The second baseline of `pnpm bench api`: what a durable accept costs at the least. Fastify
 * answering POST /v1/jobs by inserting the job row (flowq's own insert, one statement) and then
 * queueing its BullMQ job, with no validation and no auth. flowq's endpoint does this plus its
 * own work; the first baseline (bare-queue-server.ts) does the queueing alone.
 * Env: PORT, DATABASE_URL, REDIS_URL, REDIS_PREFIX.
 */
import { createDatabase, insertJob } from '@flowq/db';
import { createGenerateQueue, createRedis, enqueueGenerate, INTERACTIVE_PRIORITY } from '@flowq/queue';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 0);
const database = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flowq', { max: 20 });
const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');
const queue = createGenerateQueue(redis, process.env.REDIS_PREFIX ?? 'flowq-bench:durable');
const request = { prompt: 'bench', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1 } as const;

const app = Fastify({ logger: false });
app.post('/v1/jobs', async (_req, reply) => {
  const row = await insertJob(database.db, { request, priority: INTERACTIVE_PRIORITY, deadlineMs: 86_400_000 });
  await enqueueGenerate(queue, row.id, INTERACTIVE_PRIORITY);
  return reply.status(202).send({ id: row.id, status: 'queued' });
});

await app.listen({ port, host: '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => queue.close())
      .then(() => redis.disconnect())
      .then(() => database.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
