import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin } from '../../plugins/require-admin';
import type { AccountService } from '../../services/account-service';
import { errorSchema } from '../jobs/schemas';
import { accountView } from './account-view';
import {
  accountEmailParams,
  accountListSchema,
  accountSchema,
  coolOffBody,
  createAccountBody,
  deleteAccountQuery,
  syncSummarySchema,
  updateAccountBody,
} from './schemas';

const tags = ['accounts'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema };

/** Admin routes over the account pool. Registered inside the authenticated scope. */
export const accountRoutes: FastifyPluginAsyncZod<{ accounts: AccountService }> = async (app, { accounts }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/v1/accounts',
    { schema: { summary: 'List accounts with live figures, outcome counts and their latest events', tags, response: { 200: accountListSchema, ...errors } } },
    async () => ({ items: (await accounts.list()).map(accountView) }),
  );

  app.get(
    '/v1/accounts/:email',
    {
      schema: {
        summary: 'Read one account with its recent events',
        tags,
        params: accountEmailParams,
        response: { 200: accountSchema, 404: errorSchema, ...errors },
      },
    },
    async (req) => accountView(await accounts.get(req.params.email)),
  );

  app.post(
    '/v1/accounts',
    {
      schema: {
        summary: 'Add an account (re-adding one in needs_reauth puts it back to work)',
        tags,
        body: createAccountBody,
        response: { 200: accountSchema, 201: accountSchema, 409: errorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { created, account } = await accounts.add(req.body);
      return reply
        .status(created ? 201 : 200)
        .header('location', `/v1/accounts/${encodeURIComponent(account.row.email)}`)
        .send(accountView(account));
    },
  );

  app.patch(
    '/v1/accounts/:email',
    {
      schema: {
        summary: 'Change an account: tier, enabled, limits, or its state (active or disabled) by hand',
        tags,
        params: accountEmailParams,
        body: updateAccountBody,
        response: { 200: accountSchema, 404: errorSchema, ...errors },
      },
    },
    async (req) => accountView(await accounts.update(req.params.email, req.body)),
  );

  app.delete(
    '/v1/accounts/:email',
    {
      schema: {
        summary: 'Remove an idle account; one running jobs is refused (409), or with ?drain=true removed when they end (202)',
        tags,
        params: accountEmailParams,
        querystring: deleteAccountQuery,
        response: { 202: accountSchema, 204: z.null().describe('Removed'), 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const result = await accounts.remove(req.params.email, req.query.drain);
      if (result.removed) return reply.status(204).send(null);
      return reply.status(202).send(accountView(result.account));
    },
  );

  app.post(
    '/v1/accounts/:email/cooldown',
    {
      schema: {
        summary: 'Cool an account off: it takes no jobs until the time is over',
        tags,
        params: accountEmailParams,
        body: coolOffBody,
        response: { 200: accountSchema, 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (req) => accountView(await accounts.coolOff(req.params.email, req.body.minutes, req.body.reason)),
  );

  app.delete(
    '/v1/accounts/:email/cooldown',
    {
      schema: {
        summary: 'Lift a cool-off now',
        tags,
        params: accountEmailParams,
        response: { 200: accountSchema, 404: errorSchema, 409: errorSchema, ...errors },
      },
    },
    async (req) => accountView(await accounts.liftCoolOff(req.params.email)),
  );

  app.post(
    '/v1/accounts/sync',
    {
      schema: {
        summary: "Read useapi's accounts: health, credits and tier; add the ones flowq lacks",
        tags,
        response: { 200: syncSummarySchema, 503: errorSchema, ...errors },
      },
    },
    async () => {
      const { accounts: all, ...summary } = await accounts.sync();
      return { ...summary, accounts: all.map(accountView) };
    },
  );
};
