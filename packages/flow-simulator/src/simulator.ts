import { AccountBook, type SimAccount } from './accounts';
import { chooseAccount, balanceAccount } from './account-choice';
import { accountDetails, accountSummary } from './account-record';
import { admit } from './admission';
import { CallbackSender } from './callbacks';
import { SubmitFaultQueue } from './faults';
import { mediaGenerationId, parseJobId, userPartOf, videoJobId } from './ids';
import { imageSize, type ImageType } from './media/image-size';
import { SAMPLE_JPEG } from './media/jpeg';
import { SAMPLE_MP4 } from './media/mp4';
import { MediaUrlSigner, type MediaKind } from './media/signed-urls';
import { planJob } from './job-plan';
import { jobRecord, syncAnswer } from './job-record';
import { JobStore, type ClipLinks, type SimJob } from './job-store';
import type { ResolvedOptions, ResponseShape } from './options';
import { RequestLog } from './request-log';
import { createRng } from './rng';
import { MESSAGES, noEligibleAccount, useapiError, type SimAnswer } from './upstream-errors';
import { imagesOf, parseVideoSubmit } from './validation';

/** What a route writes into the request log besides method, path and status. */
export interface LogNote {
  email?: string;
  prompt?: string;
  replyRef?: string;
  jobid?: string;
  cause?: string;
}

export interface Outcome {
  answer: SimAnswer;
  note: LogNote;
}

export interface MediaAnswer {
  status: number;
  contentType: string;
  body: Buffer | string;
}

export const IMAGE_TYPES: readonly ImageType[] = ['image/png', 'image/jpeg', 'image/webp'];
export const MAX_ASSET_BYTES = 20 * 1024 * 1024;
/** How many finished jobs `GET /jobs` lists. */
const HISTORY_LIMIT = 100;

/**
 * The simulated useapi.net Google Flow service, without HTTP: accounts, jobs and their
 * lifecycle timers, faults, callbacks, media. Routes translate HTTP to these methods; pure
 * decisions live in validation, account-choice, admission, job-plan and job-record.
 */
export class Simulator {
  readonly accounts: AccountBook;
  readonly jobs = new JobStore();
  readonly submitFaults = new SubmitFaultQueue();
  readonly requestLog = new RequestLog();
  readonly callbacks: CallbackSender;
  readonly signer: MediaUrlSigner;
  tokenValid = true;
  responseShape: ResponseShape;

  private origin = 'http://127.0.0.1';
  private jobSeq = 0;
  private assetSeq = 0;
  /** Every asset uploaded, by id, with the account that holds it and the bytes' sha256. */
  private readonly assets = new Map<string, { email: string; bytes: number }>();
  private readonly lastJobMs = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Map<string, (answer: SimAnswer) => void>();
  private readonly mediaFiles = new Set<string>();
  private closed = false;

  constructor(readonly options: ResolvedOptions) {
    this.accounts = new AccountBook(options.accounts);
    this.responseShape = options.responseShape;
    this.callbacks = new CallbackSender(options.callbacks, createRng(options.seed, 'callbacks'));
    this.signer = new MediaUrlSigner(() => this.options.publicOrigin ?? this.origin, options.urlTtlMs);
  }

  setOrigin(origin: string): void {
    this.origin = origin;
  }

  authorize(header: string | undefined): boolean {
    if (!this.tokenValid) return false;
    const token = /^Bearer\s+(\S.*)$/i.exec(header ?? '')?.[1]?.trim();
    if (!token) return false;
    return this.options.token === undefined || token === this.options.token;
  }

  submitVideo(body: unknown): Outcome | Promise<Outcome> {
    const now = Date.now();
    const parsed = parseVideoSubmit(body);
    if (!parsed.ok) {
      const prompt = typeof body === 'object' && body !== null ? (body as { prompt?: unknown }).prompt : undefined;
      return { answer: useapiError(400, parsed.error), note: { prompt: typeof prompt === 'string' ? prompt : undefined, cause: 'validation' } };
    }
    const request = parsed.request;
    const note: LogNote = { prompt: request.prompt, replyRef: request.replyRef, email: request.email };
    const choice = chooseAccount({
      email: request.email,
      images: imagesOf(request),
      model: request.model,
      accounts: this.accounts.list().map((a) => ({ ...a, executing: a.executing.size })),
    });
    if (!choice.ok) {
      const answer = 'answer' in choice ? choice.answer : noEligibleAccount(new Date(now + 60_000), choice.skipReasons);
      return { answer, note: { ...note, cause: 'answer' in choice ? 'account' : 'no-eligible-account' } };
    }
    const account = this.accounts.get(choice.email)!;
    note.email = account.email;
    // An asset lives on the account it was uploaded to; no other account may use it.
    const foreign = imagesOf(request).find((image) => {
      const held = this.assets.get(image);
      return held !== undefined && held.email !== account.email;
    });
    if (foreign) return { answer: useapiError(403, MESSAGES.foreignImage(foreign, userPartOf(foreign))), note: { ...note, cause: 'account' } };
    const fault = this.submitFaults.peek(account.email, request.model);
    const admission = admit({
      request,
      account: { ...account, executing: account.executing.size },
      fault,
      markers: this.options.markers,
      now,
    });
    if (!admission.ok) {
      if (admission.cause === 'injected') {
        this.submitFaults.take(account.email, request.model);
        if (admission.answer.status === 429) account.injected429s += 1;
      }
      if (admission.cause === 'concurrency') account.overSubmission429s += 1;
      return { answer: admission.answer, note: { ...note, cause: admission.cause } };
    }

    const job = this.accept(request, account, admission.cost, now);
    note.jobid = job.jobid;
    if (request.async) return { answer: { status: 201, body: jobRecord(job) }, note };
    return new Promise((resolve) => this.waiters.set(job.jobid, (answer) => resolve({ answer, note })));
  }

  /** `rawJobId` is the path segment exactly as sent: useapi refuses encoded jobids. */
  getJob(rawJobId: string): Outcome {
    const note: LogNote = { jobid: rawJobId };
    if (rawJobId.includes('%') || parseJobId(rawJobId) === null) return { answer: useapiError(400, MESSAGES.invalidJobId), note };
    const job = this.jobs.get(rawJobId);
    if (!job) return { answer: useapiError(404, MESSAGES.jobNotFound(rawJobId)), note };
    note.email = job.email;
    note.prompt = job.request.prompt;
    note.replyRef = job.request.replyRef;
    if (this.isExpired(job, Date.now())) return { answer: useapiError(410, MESSAGES.jobExpired(rawJobId)), note };
    return { answer: { status: 200, body: jobRecord(job, this.linksOf(job)) }, note };
  }

  /**
   * `GET /jobs`: not documented for Google Flow. The simulator answers `{ jobs: [record...] }`,
   * newest first: the executing jobs with `options=executing`, else the last 100 jobs.
   */
  listJobs(query: { options?: string; email?: string }): Outcome {
    const note: LogNote = { email: query.email };
    if (query.email !== undefined && !this.accounts.get(query.email)) {
      return { answer: useapiError(404, MESSAGES.accountNotFound(query.email)), note };
    }
    const now = Date.now();
    const executing = query.options === 'executing';
    const jobs = this.jobs
      .list({ email: query.email, executing, limit: executing ? undefined : HISTORY_LIMIT })
      .filter((job) => !this.isExpired(job, now))
      .map((job) => jobRecord(job, this.linksOf(job)));
    return { answer: { status: 200, body: { jobs } }, note };
  }

  uploadAsset(email: string | undefined, contentType: string | undefined, bytes: Buffer): Outcome {
    const note: LogNote = { email };
    let account: SimAccount | undefined;
    if (email === undefined) {
      const choice = balanceAccount(
        this.accounts.list().map((a) => ({ ...a, executing: a.executing.size })),
        'veo-3.1-fast',
      );
      if (!choice.ok) return { answer: useapiError(404, 'No healthy Google Flow account available'), note };
      account = this.accounts.get(choice.email);
    } else {
      account = this.accounts.get(email);
    }
    if (!account) return { answer: useapiError(404, MESSAGES.accountNotFound(email ?? '')), note };
    note.email = account.email;
    if (account.state === 'needs_reauth') return { answer: useapiError(596, MESSAGES.sessionRefresh), note: { ...note, cause: 'session' } };
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase() as ImageType;
    if (!IMAGE_TYPES.includes(type)) {
      return { answer: useapiError(400, `Unsupported Content-Type ${contentType ?? '(none)'}. Supported: ${IMAGE_TYPES.join(', ')}`), note };
    }
    if (bytes.length > MAX_ASSET_BYTES) return { answer: useapiError(400, 'Image exceeds the 20 MB limit'), note };
    const size = imageSize(type, bytes);
    if (!size) return { answer: useapiError(400, `Invalid image data for Content-Type ${type}`), note };
    const id = mediaGenerationId(account.email, 'image', createRng(this.options.seed, `asset:${++this.assetSeq}`).uuid());
    this.assets.set(id, { email: account.email, bytes: bytes.length });
    return {
      answer: {
        status: 200,
        body: { mediaGenerationId: { mediaGenerationId: id }, width: size.width, height: size.height, email: account.email, media: { name: id } },
      },
      note,
    };
  }

  /** The assets an account holds (uploaded to it), for tests that count uploads per account. */
  assetsOf(email: string): string[] {
    return [...this.assets].filter(([, a]) => a.email === email).map(([id]) => id);
  }

  listAccounts(): Outcome {
    const now = Date.now();
    const body: Record<string, unknown> = {};
    for (const account of this.accounts.list()) body[account.email] = accountSummary(account, now);
    return { answer: { status: 200, body }, note: {} };
  }

  getAccount(email: string): Outcome {
    const account = this.accounts.get(email);
    if (!account) return { answer: useapiError(404, MESSAGES.accountNotFound(email)), note: { email } };
    return { answer: { status: 200, body: accountDetails(account, Date.now()) }, note: { email } };
  }

  media(file: string, query: { expires?: string; gen?: string; sig?: string }): MediaAnswer {
    const match = /^([0-9a-f-]{36})\.(mp4|jpg)$/.exec(file);
    if (!match || !this.mediaFiles.has(match[1]!)) return { status: 404, contentType: 'text/plain', body: 'Not Found' };
    const kind = match[2] as MediaKind;
    const verdict = this.signer.check(match[1]!, kind, query, Date.now());
    if (verdict !== 'valid') {
      const reason = verdict === 'expired' ? 'Request has expired' : 'Invalid signature';
      return {
        status: 403,
        contentType: 'application/xml; charset=UTF-8',
        body: `<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>${reason}</Message></Error>`,
      };
    }
    return kind === 'mp4' ? { status: 200, contentType: 'video/mp4', body: SAMPLE_MP4 } : { status: 200, contentType: 'image/jpeg', body: SAMPLE_JPEG };
  }

  expireJob(jobid: string): boolean {
    return this.jobs.expire(jobid);
  }

  expireAllJobs(): number {
    return this.jobs.expireAll();
  }

  /** Back to the configured state: no jobs, no faults, fresh accounts and log, same seed. */
  reset(): void {
    this.stopJobs();
    this.jobs.clear();
    this.accounts.reset();
    this.submitFaults.clear();
    this.requestLog.clear();
    this.callbacks.clearAttempts();
    this.callbacks.settings = { ...this.options.callbacks };
    this.tokenValid = true;
    this.responseShape = this.options.responseShape;
    this.jobSeq = 0;
    this.assetSeq = 0;
    this.assets.clear();
    this.lastJobMs.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopJobs();
    await this.callbacks.close();
  }

  private stopJobs(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const resolve of this.waiters.values()) resolve(useapiError(503, 'Simulator is shutting down'));
    this.waiters.clear();
    for (const account of this.accounts.list()) account.executing.clear();
  }

  private accept(request: SimJob['request'], account: SimAccount, cost: number, now: number): SimJob {
    const seq = ++this.jobSeq;
    const plan = planJob(request, createRng(this.options.seed, `job:${seq}`), {
      startDelayMs: this.options.startDelayMs,
      generationMs: this.options.generationMs,
      markers: this.options.markers,
      responseShape: this.responseShape,
    });
    // The jobid carries epoch ms and email; two jobs of one account in the same ms must differ.
    const created = Math.max(now, (this.lastJobMs.get(account.email) ?? 0) + 1);
    this.lastJobMs.set(account.email, created);
    account.credits -= cost;
    account.accepted += 1;
    const job: SimJob = {
      jobid: videoJobId(created, account.email),
      seq,
      email: account.email,
      status: 'created',
      created,
      updated: created,
      request,
      plan,
      remainingCredits: account.credits,
      expired: false,
    };
    this.jobs.add(job);
    this.accounts.startExecuting(account, job.jobid);
    this.notify(job);
    this.after(plan.startDelayMs, () => this.start(job));
    return job;
  }

  private start(job: SimJob): void {
    job.status = 'started';
    job.updated = Date.now();
    this.notify(job);
    this.after(job.plan.generationMs, () => this.finish(job));
  }

  private finish(job: SimJob): void {
    const now = Date.now();
    job.status = job.plan.outcome;
    job.updated = now;
    if (job.status === 'completed') {
      for (const clip of job.plan.clips) if (!clip.failed) this.mediaFiles.add(clip.uuid);
      if (this.options.urlSigning === 'completion') job.links = this.signLinks(job, now);
    }
    this.accounts.stopExecuting(job.email, job.jobid);
    this.notify(job);
    const waiter = this.waiters.get(job.jobid);
    if (waiter) {
      this.waiters.delete(job.jobid);
      waiter(syncAnswer(job, this.linksOf(job)));
    }
  }

  private notify(job: SimJob): void {
    if (job.request.replyUrl === undefined || this.closed) return;
    this.callbacks.send(job.jobid, job.request.replyUrl, job.status, jobRecord(job, this.linksOf(job)));
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) action();
    }, ms);
    this.timers.add(timer);
  }

  private isExpired(job: SimJob, now: number): boolean {
    return job.expired || now - job.created > this.options.jobRetentionMs;
  }

  private linksOf(job: SimJob): (ClipLinks | undefined)[] {
    if (job.status !== 'completed') return [];
    return job.links ?? this.signLinks(job, Date.now());
  }

  private signLinks(job: SimJob, now: number): (ClipLinks | undefined)[] {
    return job.plan.clips.map((clip) =>
      clip.failed ? undefined : { videoUrl: this.signer.sign(clip.uuid, 'mp4', now), thumbnailUrl: this.signer.sign(clip.uuid, 'jpg', now) },
    );
  }
}
