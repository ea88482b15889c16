import type { z } from 'zod';
import { errorBodySchema } from './schemas/error-body';
import { parseIsoTime, parseRetryAfter } from './retry-after';
import type { UpstreamAnswer, UpstreamError, UpstreamFailure } from './upstream-answer';

/** What the transport hands over: everything needed to decide, nothing of the request. */
export interface ReceivedResponse {
  status: number;
  retryAfterHeader?: string | null;
  bodyText: string;
}

const RAW_TEXT_LIMIT = 2_000;
const MESSAGE_TEXT_LIMIT = 200;

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.length > RAW_TEXT_LIMIT ? `${text.slice(0, RAW_TEXT_LIMIT)}…` : text;
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_TEXT_LIMIT ? `${flat.slice(0, MESSAGE_TEXT_LIMIT)}…` : flat;
}

/** Reads an error body of either shape into message, reason and retry time. */
export function errorFromBody(status: number, body: unknown, headerRetryAfter: Date | undefined): UpstreamError {
  const error: UpstreamError = { kind: 'http', message: `HTTP ${status}`, raw: body };
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    if (typeof body === 'string' && body.trim() !== '') error.message = `HTTP ${status}: ${oneLine(body)}`;
  } else {
    const b = parsed.data;
    if (typeof b.error === 'string') {
      error.message = b.message ? `${b.error}: ${b.message}` : b.error;
      if (b.error === 'no_eligible_account') error.reason = 'no_eligible_account';
    } else {
      const reason = b.error.details?.find((d) => d.reason)?.reason;
      if (reason !== undefined) error.reason = reason;
      if (b.error.status !== undefined) error.googleStatus = b.error.status;
      if (b.error.code !== undefined) error.code = b.error.code;
      const text = [b.error.status, b.error.message].filter(Boolean).join(': ') || `HTTP ${status}`;
      error.message = reason ? `${text} (${reason})` : text;
    }
    if (error.code === undefined && b.code !== undefined) error.code = b.code;
    const bodyRetryAfter = parseIsoTime(b.retryAfter);
    if (bodyRetryAfter) error.retryAfter = bodyRetryAfter;
  }
  if (error.retryAfter === undefined && headerRetryAfter) error.retryAfter = headerRetryAfter;
  return error;
}

/** Turns a received response into one typed answer; a 2xx that breaks the schema is a `bad_response`. */
export function readAnswer<T>(res: ReceivedResponse, schema: z.ZodType<T, unknown>, now: Date): UpstreamAnswer<T> {
  const body = parseBody(res.bodyText);
  const headerRetryAfter = parseRetryAfter(res.retryAfterHeader, now);
  if (res.status >= 200 && res.status < 300) {
    const parsed = schema.safeParse(body);
    if (parsed.success) {
      return headerRetryAfter
        ? { ok: true, status: res.status, data: parsed.data, retryAfter: headerRetryAfter }
        : { ok: true, status: res.status, data: parsed.data };
    }
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    return { ok: false, status: res.status, error: { kind: 'bad_response', message: `unexpected response body: ${issues}`, raw: body } };
  }
  return { ok: false, status: res.status, error: errorFromBody(res.status, body, headerRetryAfter) };
}

/** No HTTP answer: status 0. */
export function failedCallAnswer(err: unknown): UpstreamFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const timedOut = e.name === 'TimeoutError';
  const cause = (e as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : undefined;
  const message = timedOut ? 'request timed out' : causeText && causeText !== e.message ? `${e.message}: ${causeText}` : e.message;
  return { ok: false, status: 0, error: { kind: timedOut ? 'timeout' : 'network', message, raw: null } };
}
