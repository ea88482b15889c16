import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireAdmin } from '../../plugins/require-admin';
import type { ApiKeyService } from '../../services/api-key-service';
import { errorSchema } from '../jobs/schemas';
import { keyView } from './key-view';
import { createdKeySchema, createKeyBody, keyIdParams, keyListSchema, keySchema, rotatedSecretSchema } from './schemas';

const tags = ['keys'];
const errors = { 401: errorSchema, 403: errorSchema };

/** Admin routes over the API keys stored in Postgres (`flowq keys`). Registered inside the authenticated scope. */
export const keyRoutes: FastifyPluginAsyncZod<{ keys: ApiKeyService }> = async (app, { keys }) => {
  app.addHook('onRequest', requireAdmin);

  app.post(
    '/v1/keys',
    {
      schema: {
        summary: 'Create an API key; the key is in this answer only',
        tags,
        body: createKeyBody,
        response: { 201: createdKeySchema, 400: errorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { row, token, signingSecret } = await keys.create(req.body);
      return reply
        .status(201)
        .header('location', `/v1/keys/${row.id}`)
        .header('cache-control', 'no-store')
        .send({ ...keyView(row), key: token, signingSecret });
    },
  );

  app.post(
    '/v1/keys/:id/signing-secret',
    {
      schema: {
        summary: "Rotate a key's callback signing secret; the new secret is in this answer only",
        tags,
        params: keyIdParams,
        response: { 200: rotatedSecretSchema, 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { row, signingSecret } = await keys.rotateSigningSecret(req.params.id);
      return reply.header('cache-control', 'no-store').send({ ...keyView(row), signingSecret });
    },
  );

  app.get('/v1/keys', { schema: { summary: 'List API keys (never the keys themselves)', tags, response: { 200: keyListSchema, ...errors } } }, async () => ({
    items: (await keys.list()).map(keyView),
  }));

  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Revoke an API key (every API process refuses it within 5 seconds)',
        tags,
        params: keyIdParams,
        response: { 200: keySchema, 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (req) => keyView(await keys.revoke(req.params.id)),
  );
};
