import { IMAGE_FIELDS, type VideoRequest } from '@flowq/core';

/** flowq always sends `replyUrl`/`replyRef`; they stay optional so a poll-only caller (the contract suite) need not. */
export type SubmitVideoRequest = VideoRequest & { replyUrl?: string; replyRef?: string };

const PASSED_FIELDS = ['prompt', 'model', 'aspectRatio', 'count', 'seed', 'email', ...IMAGE_FIELDS, 'replyUrl', 'replyRef'] as const;

/**
 * The JSON body of `POST /videos`. Always async: a sync call holds a connection for up to ten
 * minutes and loses the job id if it drops. Fields are copied by name so nothing else leaks upstream.
 */
export function submitBodyOf(request: SubmitVideoRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of PASSED_FIELDS) {
    const value = request[field];
    if (value !== undefined) body[field] = value;
  }
  body.async = true;
  return body;
}
