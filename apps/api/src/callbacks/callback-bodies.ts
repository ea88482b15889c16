import { findJob } from '@flowq/db';
import type { ApiDeps } from '../deps';
import { batchView } from '../routes/batches/batch-view';
import { jobView } from '../routes/jobs/job-view';
import { createBatchService } from '../services/batch-service';
import type { RenderCallbackBody } from './callback-dispatcher';

/** A callback's body is what `GET /v1/jobs/:id` (or `GET /v1/batches/:id`) answers at its first attempt. */
export function createCallbackBodies(deps: ApiDeps): RenderCallbackBody {
  const batches = createBatchService(deps);
  return async (delivery) => {
    if (delivery.jobId) {
      const row = await findJob(deps.database.db, delivery.jobId);
      return row ? JSON.stringify(jobView(row)) : null;
    }
    if (delivery.batchId) {
      const state = await batches.get(delivery.batchId).catch(() => null);
      return state ? JSON.stringify(batchView(state)) : null;
    }
    return null;
  };
}
