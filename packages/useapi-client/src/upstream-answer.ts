/**
 * How an answer failed:
 * - `http`: useapi (or something in front of it) answered with a non-2xx status;
 * - `network`: no HTTP answer at all (refused, reset, DNS); status 0;
 * - `timeout`: our own deadline passed before the answer was read; status 0. For a submit this
 *   is ambiguous: the job may exist upstream;
 * - `bad_response`: a 2xx whose body does not match the contract.
 */
export type UpstreamErrorKind = 'http' | 'network' | 'timeout' | 'bad_response';

export interface UpstreamError {
  kind: UpstreamErrorKind;
  /** One line, for people and for `error.message` of a job. */
  message: string;
  /** Google's `details[].reason` (e.g. `PUBLIC_ERROR_USER_QUOTA_REACHED`), or useapi's `no_eligible_account`. */
  reason?: string;
  /** From the body's `retryAfter`, else the `Retry-After` header. */
  retryAfter?: Date;
  /** Google's `error.status`, e.g. `RESOURCE_EXHAUSTED`. */
  googleStatus?: string;
  /** Google's `error.code`, or the `code` useapi puts beside a string error. */
  code?: number;
  /** The parsed body (or its text when it is not JSON), to store with the attempt. Never request headers. */
  raw: unknown;
}

/** One call's answer. The client never throws on a status, a network error or a timeout. */
export type UpstreamAnswer<T> = { ok: true; status: number; data: T; retryAfter?: Date } | { ok: false; status: number; error: UpstreamError };

export type UpstreamFailure = Extract<UpstreamAnswer<unknown>, { ok: false }>;
