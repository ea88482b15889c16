/**
 * The URL useapi calls back for a job: the API serves it, the worker hands it to useapi. The
 * per-job secret makes it unguessable. Built here only.
 */
export const CALLBACK_ROUTE = '/v1/webhooks/useapi/:jobId/:secret';

export function callbackPath(jobId: string, secret: string): string {
  return `/v1/webhooks/useapi/${jobId}/${secret}`;
}

export function replyUrlFor(publicUrl: string, job: { id: string; callbackSecret: string }): string {
  return `${publicUrl}${callbackPath(job.id, job.callbackSecret)}`;
}
