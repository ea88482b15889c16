import type { Logger } from 'pino';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { failedCallAnswer, readAnswer } from './read-answer';
import { accountListSchema, accountSchemaFor, type UpstreamAccount } from './schemas/account';
import { uploadedAssetSchema, type UploadedAsset } from './schemas/asset';
import { jobListSchema, jobRecordSchema, type ListedJob, type UpstreamJobRecord } from './schemas/job-record';
import { editBodyOf, type SubmitEditRequest } from './edit-body';
import { imageBodyOf, type SubmitImageRequest } from './image-body';
import { imageAnswerSchema } from './schemas/image-answer';
import { submitBodyOf, type CaptchaOptions, type SubmitVideoRequest } from './submit-body';
import type { UpstreamAnswer } from './upstream-answer';

/** The subset of `fetch` the client uses, so tests and callers can pass their own. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array; signal: AbortSignal; dispatcher?: Dispatcher },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface UseapiClientOptions {
  /** e.g. `https://api.useapi.net/v1/google-flow`, or the simulator's `http://127.0.0.1:PORT/v1/google-flow`. */
  baseUrl: string;
  /** The useapi.net API token. Kept in this closure only; never logged nor put in an answer. */
  token: string;
  /** Deadline for one call, body included. Default 30 000 ms. */
  timeoutMs?: number;
  /** Deadline for `POST /images`, which answers only once the images are made (10-20 s). Default 90 000 ms. */
  imageTimeoutMs?: number;
  /** Default: undici's fetch. */
  fetchImpl?: FetchLike;
  /** An undici dispatcher (pool, proxy agent) for the default fetch. */
  dispatcher?: Dispatcher;
  /** Default `flowq-useapi-client`. */
  userAgent?: string;
  /** Captcha options sent on every submit whose request names none. Default: none (useapi's 3 retries). */
  captcha?: CaptchaOptions;
  /** Logs each call at debug level: method, path, status, duration, reason. Never headers. */
  logger?: Logger;
  /** Clock for relative `Retry-After` headers. Default `() => new Date()`. */
  now?: () => Date;
}

export type UpstreamOperation = 'submitVideo' | 'submitImage' | 'submitEdit' | 'getJob' | 'listJobs' | 'uploadAsset' | 'listAccounts' | 'getAccount';

export interface UseapiClient {
  /** `POST /videos` with `async: true`: a 201 job record (or a sync 200, read into the same record). */
  submitVideo(request: SubmitVideoRequest): Promise<UpstreamAnswer<UpstreamJobRecord>>;
  /** `POST /images`, synchronous: the answer carries the images, read into a completed image job record. */
  submitImage(request: SubmitImageRequest): Promise<UpstreamAnswer<UpstreamJobRecord>>;
  /** `POST /videos/upscale` or `/videos/extend` (async): a 201 job record, followed like a video's. */
  submitEdit(edit: SubmitEditRequest): Promise<UpstreamAnswer<UpstreamJobRecord>>;
  /** `GET /jobs/{jobid}`, the jobid put in the path as it is. */
  getJob(jobid: string): Promise<UpstreamAnswer<UpstreamJobRecord>>;
  /**
   * `GET /jobs?options=executing` (default: the account's running jobs) or, with `executing:
   * false`, `options=history` (2026: the running jobs plus the 10 latest finished in the last 15 minutes).
   */
  listJobs(filter?: { email?: string; executing?: boolean }): Promise<UpstreamAnswer<ListedJob[]>>;
  /** `POST /assets/{email}` with the raw image bytes. */
  uploadAsset(email: string, bytes: Uint8Array, contentType: string): Promise<UpstreamAnswer<UploadedAsset>>;
  listAccounts(): Promise<UpstreamAnswer<UpstreamAccount[]>>;
  getAccount(email: string): Promise<UpstreamAnswer<UpstreamAccount>>;
}

interface Call<T> {
  operation: UpstreamOperation;
  method: 'GET' | 'POST';
  path: string;
  schema: z.ZodType<T, unknown>;
  body?: string | Uint8Array;
  contentType?: string;
  timeoutMs?: number;
}

export function createUseapiClient(options: UseapiClientOptions): UseapiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const fetchImpl: FetchLike = options.fetchImpl ?? (undiciFetch as unknown as FetchLike);
  const userAgent = options.userAgent ?? 'flowq-useapi-client';
  const now = options.now ?? (() => new Date());
  const token = options.token;
  const log = options.logger;

  // Belt and braces: if anything upstream ever echoes the token, it stops here.
  const scrub = (text: string): string => (token.length >= 8 && text.includes(token) ? text.split(token).join('[REDACTED]') : text);

  async function call<T>(c: Call<T>): Promise<UpstreamAnswer<T>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'user-agent': userAgent,
    };
    if (c.contentType) headers['content-type'] = c.contentType;
    const started = performance.now();
    let answer: UpstreamAnswer<T>;
    try {
      const res = await fetchImpl(baseUrl + c.path, {
        method: c.method,
        headers,
        ...(c.body !== undefined ? { body: c.body } : {}),
        signal: AbortSignal.timeout(c.timeoutMs ?? timeoutMs),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      const bodyText = scrub(await res.text());
      answer = readAnswer({ status: res.status, retryAfterHeader: res.headers.get('retry-after'), bodyText }, c.schema, now());
    } catch (err) {
      const failure = failedCallAnswer(err);
      failure.error.message = scrub(failure.error.message);
      answer = failure;
    }
    log?.debug(
      {
        upstream: {
          operation: c.operation,
          method: c.method,
          path: c.path,
          status: answer.status,
          durationMs: Math.round(performance.now() - started),
          ...(answer.ok ? {} : { error: answer.error.message, kind: answer.error.kind, reason: answer.error.reason }),
        },
      },
      'useapi call',
    );
    return answer;
  }

  return {
    submitVideo: (request) =>
      call({
        operation: 'submitVideo',
        method: 'POST',
        path: '/videos',
        schema: jobRecordSchema,
        body: JSON.stringify(submitBodyOf(request, options.captcha)),
        contentType: 'application/json',
      }),
    submitImage: (request) =>
      call({
        operation: 'submitImage',
        method: 'POST',
        path: '/images',
        schema: imageAnswerSchema,
        body: JSON.stringify(imageBodyOf(request, options.captcha)),
        contentType: 'application/json',
        timeoutMs: options.imageTimeoutMs ?? 90_000,
      }),
    submitEdit: (edit) =>
      call({
        operation: 'submitEdit',
        method: 'POST',
        path: edit.kind === 'upscale' ? '/videos/upscale' : '/videos/extend',
        schema: jobRecordSchema,
        body: JSON.stringify(editBodyOf(edit, options.captcha)),
        contentType: 'application/json',
      }),
    // Encoding the jobid (it holds `:` and `@`) makes useapi answer 400 "Invalid job ID format".
    getJob: (jobid) => call({ operation: 'getJob', method: 'GET', path: `/jobs/${jobid}`, schema: jobRecordSchema }),
    listJobs: (filter = {}) => {
      const query = new URLSearchParams();
      query.set('options', (filter.executing ?? true) ? 'executing' : 'history');
      if (filter.email !== undefined) query.set('email', filter.email);
      const qs = query.toString();
      return call({ operation: 'listJobs', method: 'GET', path: qs ? `/jobs?${qs}` : '/jobs', schema: jobListSchema });
    },
    uploadAsset: (email, bytes, contentType) =>
      call({
        operation: 'uploadAsset',
        method: 'POST',
        path: `/assets/${encodeURIComponent(email)}`,
        schema: uploadedAssetSchema,
        body: bytes,
        contentType,
      }),
    listAccounts: () => call({ operation: 'listAccounts', method: 'GET', path: '/accounts', schema: accountListSchema }),
    getAccount: (email) => call({ operation: 'getAccount', method: 'GET', path: `/accounts/${encodeURIComponent(email)}`, schema: accountSchemaFor(email) }),
  };
}
