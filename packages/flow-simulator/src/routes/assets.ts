import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sendOutcome } from '../reply';
import { MAX_ASSET_BYTES, type Simulator } from '../simulator';

/** Room above the 20 MB limit so that a slightly larger image still gets useapi's 400, not a 413. */
export const ASSET_BODY_LIMIT = MAX_ASSET_BYTES + 1024 * 1024;

/** `POST /assets/{email}` (or without email: the balancer picks): raw image bytes. */
export const assetRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  // Any body arrives as bytes; the content type is judged by the simulator, with useapi's 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ASSET_BODY_LIMIT }, (_request, body, done) => done(null, body));

  const upload = async (email: string | undefined, request: FastifyRequest, reply: FastifyReply) => {
    const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    return sendOutcome(request, reply, sim.uploadAsset(email, request.headers['content-type'], bytes), sim.requestLog);
  };
  app.post<{ Params: { email: string } }>('/assets/:email', (request, reply) => upload(request.params.email, request, reply));
  app.post('/assets', (request, reply) => upload(undefined, request, reply));
};
