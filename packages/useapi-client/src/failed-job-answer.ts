import { errorFromBody } from './read-answer';
import { googleErrorSchema } from './schemas/error-body';
import type { UpstreamJobRecord } from './schemas/job-record';
import type { UpstreamFailure } from './upstream-answer';

function validStatus(code: number | undefined): code is number {
  return code !== undefined && Number.isInteger(code) && code >= 400 && code <= 599;
}

/**
 * A failed job record, read as the answer a synchronous call would have given, so that
 * `classifyAnswer` decides about it too (a content-policy failure is permanent, a 500 is worth
 * another attempt, a quota 429 cools the account off). Without any code it counts as a 500.
 */
export function answerOfFailedJob(record: UpstreamJobRecord): UpstreamFailure {
  const response = record.response as { error?: unknown } | undefined;
  const google =
    googleErrorSchema.safeParse(typeof record.error === 'object' ? record.error : undefined).data ??
    (typeof response === 'object' && response !== null ? googleErrorSchema.safeParse(response.error).data : undefined);
  const text = typeof record.error === 'string' ? record.error : undefined;
  const status = validStatus(record.code) ? record.code : validStatus(google?.code) ? google.code : 500;

  const error = errorFromBody(status, google ? { error: google } : { error: text ?? `job failed` }, undefined);
  const parts = [text, record.errorDetails, google ? error.message : undefined].filter((s): s is string => Boolean(s));
  error.message = [...new Set(parts)].join(' - ') || error.message;
  error.raw = record;
  return { ok: false, status, error };
}
