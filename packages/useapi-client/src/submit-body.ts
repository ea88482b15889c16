import { IMAGE_FIELDS, type VideoRequest } from '@flowq/core';

/** flowq always sends `replyUrl`/`replyRef`; they stay optional so a poll-only caller (the contract suite) need not. */
export type SubmitVideoRequest = VideoRequest & { replyUrl?: string; replyRef?: string };

/** The service's captcha options, sent on every submit whose request names none. */
export interface CaptchaOptions {
  retry?: number;
  order?: string;
}

const PASSED_FIELDS = [
  'prompt',
  'model',
  'aspectRatio',
  'duration',
  'resolution',
  'count',
  'seed',
  'email',
  ...IMAGE_FIELDS,
  'captchaRetry',
  'captchaOrder',
  'replyUrl',
  'replyRef',
] as const;

/**
 * The JSON body of `POST /videos`. Always async: a sync call holds a connection for up to ten
 * minutes and loses the job id if it drops. Fields are copied by name so nothing else leaks
 * upstream. useapi takes one captcha option: the request's own wins over the service's.
 */
export function submitBodyOf(request: SubmitVideoRequest, captcha: CaptchaOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of PASSED_FIELDS) {
    const value = request[field];
    if (value !== undefined) body[field] = value;
  }
  if (body.captchaRetry === undefined && body.captchaOrder === undefined) {
    if (captcha.retry !== undefined) body.captchaRetry = captcha.retry;
    else if (captcha.order !== undefined) body.captchaOrder = captcha.order;
  }
  body.async = true;
  return body;
}
