/**
 * The baseline of `pnpm bench api`: Fastify answering POST /v1/jobs by queueing a BullMQ job
 * exactly as flowq does (same queue options, same priority), with no validation, no auth
 * and no Postgres. Whatever flowq's endpoint costs above this is flowq's own work.
 * Env: PORT, REDIS_URL, REDIS_PREFIX.
 */
import { newId } from '@flowq/core';
import { createGenerateQueue, createRedis, enqueueGenerate, INTERACTIVE_PRIORITY } from '@flowq/queue';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 0);
const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');
const queue = createGenerateQueue(redis, process.env.REDIS_PREFIX ?? 'flowq-bench:bare');

const app = Fastify({ logger: false });
app.post('/v1/jobs', async (_req, reply) => {
  const id = newId('job');
  await enqueueGenerate(queue, id, INTERACTIVE_PRIORITY);
  return reply.status(202).send({ id, status: 'queued' });
});

await app.listen({ port, host: '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => queue.close())
      .then(() => redis.disconnect())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
