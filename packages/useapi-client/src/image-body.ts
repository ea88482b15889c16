import { IMAGE_REFERENCE_FIELDS, type ImageRequest } from '@flowq/core';
import type { CaptchaOptions } from './submit-body';

export type SubmitImageRequest = ImageRequest & { replyUrl?: string; replyRef?: string };

const PASSED_FIELDS = [
  'prompt',
  'model',
  'aspectRatio',
  'count',
  'seed',
  'email',
  ...IMAGE_REFERENCE_FIELDS,
  'captchaRetry',
  'captchaOrder',
  'replyUrl',
  'replyRef',
] as const;

/**
 * The JSON body of `POST /images`. The call is synchronous upstream (10-20 s, no async mode
 * documented); `replyRef` still goes with it, so a call that dies mid-way can be found in
 * useapi's job listing. Fields are copied by name so nothing else leaks upstream.
 */
export function imageBodyOf(request: SubmitImageRequest, captcha: CaptchaOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of PASSED_FIELDS) {
    const value = request[field];
    if (value !== undefined) body[field] = value;
  }
  if (body.captchaRetry === undefined && body.captchaOrder === undefined) {
    if (captcha.retry !== undefined) body.captchaRetry = captcha.retry;
    else if (captcha.order !== undefined) body.captchaOrder = captcha.order;
  }
  return body;
}
