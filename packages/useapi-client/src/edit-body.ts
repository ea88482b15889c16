import type { ExtendRequest, UpscaleRequest } from '@flowq/core';
import type { CaptchaOptions } from './submit-body';

/** What the worker sends for an upscale or extend: the request with its source resolved to a mediaGenerationId. */
export type SubmitEditRequest =
  | { kind: 'upscale'; mediaGenerationId: string; request: UpscaleRequest; replyUrl?: string; replyRef?: string }
  | { kind: 'extend'; mediaGenerationId: string; request: ExtendRequest; replyUrl?: string; replyRef?: string };

/**
 * The JSON body of `POST /videos/upscale` or `/videos/extend`: always async, like `POST /videos`.
 * No `email`: the mediaGenerationId names the account (useapi, 2026 notes §4).
 */
export function editBodyOf(edit: SubmitEditRequest, captcha: CaptchaOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { mediaGenerationId: edit.mediaGenerationId };
  if (edit.kind === 'upscale') body.resolution = edit.request.resolution;
  else {
    body.prompt = edit.request.prompt;
    body.model = edit.request.model;
    body.count = edit.request.count;
    if (edit.request.seed !== undefined) body.seed = edit.request.seed;
  }
  const own = edit.request;
  if (own.captchaRetry !== undefined) body.captchaRetry = own.captchaRetry;
  else if (own.captchaOrder !== undefined) body.captchaOrder = own.captchaOrder;
  else if (captcha.retry !== undefined) body.captchaRetry = captcha.retry;
  else if (captcha.order !== undefined) body.captchaOrder = captcha.order;
  if (edit.replyUrl !== undefined) body.replyUrl = edit.replyUrl;
  if (edit.replyRef !== undefined) body.replyRef = edit.replyRef;
  body.async = true;
  return body;
}
