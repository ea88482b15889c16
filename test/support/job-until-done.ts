import { waitFor } from '@flowq/testing';
import type { FlowqUnderTest } from './start-flowq';

/** The job as `GET /v1/jobs/:id` answers it, once it has ended (succeeded, failed or cancelled). */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever fields the answer has
export async function jobUntilDone(f: Pick<FlowqUnderTest, 'request'>, id: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const job = (await (await f.request(`/v1/jobs/${id}`)).json()) as Record<string, any>;
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : null;
    },
    { timeoutMs, what: `job ${id} to end` },
  );
}
