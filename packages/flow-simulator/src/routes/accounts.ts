import type { FastifyPluginAsync } from 'fastify';
import { sendOutcome } from '../reply';
import type { Simulator } from '../simulator';

export const accountRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  app.get('/accounts', async (request, reply) => sendOutcome(request, reply, sim.listAccounts()));
  app.get<{ Params: { email: string } }>('/accounts/:email', async (request, reply) => sendOutcome(request, reply, sim.getAccount(request.params.email)));
};
