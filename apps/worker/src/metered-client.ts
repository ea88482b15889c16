import type { FlowqMetrics } from '@flowq/metrics';
import type { UpstreamAnswer, UseapiClient } from '@flowq/useapi-client';

/** The useapi client with every submission and status read counted by its answer, in one place for all steps. */
export function meteredClient(client: UseapiClient, metrics: FlowqMetrics): UseapiClient {
  const count = <T>(operation: string, answer: UpstreamAnswer<T>): UpstreamAnswer<T> => {
    metrics.countUpstreamAnswer(operation, answer.status, answer.ok ? undefined : (answer.error.reason ?? answer.error.kind));
    return answer;
  };
  return {
    ...client,
    submitVideo: async (request) => count('submitVideo', await client.submitVideo(request)),
    submitImage: async (request) => count('submitImage', await client.submitImage(request)),
    submitEdit: async (edit) => count('submitEdit', await client.submitEdit(edit)),
    getJob: async (jobid) => count('getJob', await client.getJob(jobid)),
  };
}
