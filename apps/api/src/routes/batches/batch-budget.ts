import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ownerScope } from '../../plugins/api-key-auth';
import type { BatchService } from '../../services/batch-service';
import { errorSchema } from '../jobs/schemas';
import { batchView } from './batch-view';
import { batchBudgetBody, batchIdParams, batchSchema } from './schemas';

/**
 * `PATCH /v1/batches/:id`: its own plugin because the batch routes hand JSON bodies over as
 * streams (a batch upload is read item by item); this small body is parsed as usual.
 */
export const batchBudgetRoutes: FastifyPluginAsyncZod<{ batches: BatchService }> = async (app, { batches }) => {
  app.patch(
    '/v1/batches/:id',
    {
      schema: {
        summary: "Set, raise, lower or remove the batch's budget (maxCredits); jobs waiting over_budget are checked again",
        tags: ['batches'],
        params: batchIdParams,
        body: batchBudgetBody,
        response: { 200: batchSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const state = await batches.setBudget(req.params.id, req.body.maxCredits, ownerScope(req));
      return { ...batchView(state), requeued: state.requeued };
    },
  );
};
