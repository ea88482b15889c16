import { AccountBook, type SimAccount } from './accounts';
import { chooseAccount, balanceAccount } from './account-choice';
import { accountDetails, accountSummary } from './account-record';
import { accountOfMediaId, canExtendWith, extendCreditsFor, specOf, upscaleCreditsFor, upscaleTiersFor, type VideoModel } from '@flowq/core';
import { admit, admitEdit, admitImage } from './admission';
import { CallbackSender } from './callbacks';
import { faultAnswer, SubmitFaultQueue, type SimEndpoint, type SubmitFault } from './faults';
import { imageAnswer, imageJobId, imageJobRecord, imageMediaId, type SimImageJob } from './image-job';
import { parseImageSubmit, referencesOf } from './image-validation';
import { parseExtendSubmit, parseUpscaleSubmit } from './video-edit-validation';
import { mediaGenerationId, parseJobId, userPartOf, videoJobId } from './ids';
import { imageSize, type ImageType } from './media/image-size';
import { SAMPLE_JPEG } from './media/jpeg';
import { mp4OfSize } from './media/mp4';
import { MediaUrlSigner, type MediaKind } from './media/signed-urls';
import { planJob } from './job-plan';
import { clipMediaId, jobRecord, syncAnswer } from './job-record';
import { JobStore, type ClipLinks, type SimJob, type VideoAction } from './job-store';
import type { ResolvedOptions, ResponseShape } from './options';
import { RequestLog } from './request-log';
import { createRng } from './rng';
import { MESSAGES, noEligibleAccount, useapiError, type SimAnswer } from './upstream-errors';
import { imagesOf, parseVideoSubmit, type VideoSubmit } from './validation';

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
  /** Close the connection without answering (fault `connection-reset`); the answer is what it would have been. */
  reset?: boolean;
}

/** A finished video an upscale or extend may start from: whose it is and what it was made with. */
interface KnownVideo {
  email: string;
  model: VideoModel;
  aspectRatio: VideoSubmit['aspectRatio'];
}

/** A `connection-reset` fault lets the call through and drops its answer; any other fault answers instead of the call. */
function splitFault(fault: SubmitFault | undefined): { answering: SubmitFault | undefined; reset: boolean } {
  return fault?.kind === 'connection-reset' ? { answering: undefined, reset: true } : { answering: fault, reset: false };
}

export interface MediaAnswer {
  status: number;
  contentType: string;
  body: Buffer | string;
}

export const IMAGE_TYPES: readonly ImageType[] = ['image/png', 'image/jpeg', 'image/webp'];
export const MAX_ASSET_BYTES = 20 * 1024 * 1024;
/** `GET /jobs?options=history`: the 10 latest finished jobs of the last 15 minutes (2026 notes). */
const HISTORY_LIMIT = 10;
const HISTORY_WINDOW_MS = 15 * 60_000;
/** The 2025 simulator's listing (undocumented then): the last 100 jobs. */
const LEGACY_LIST_LIMIT = 100;

/** The prompt of a body that failed validation, for the request log. */
function promptOf(body: unknown): string | undefined {
  const prompt = typeof body === 'object' && body !== null ? (body as { prompt?: unknown }).prompt : undefined;
  return typeof prompt === 'string' ? prompt : undefined;
}

/**
 * The simulated useapi.net Google Flow service, without HTTP: accounts, jobs and their
 * lifecycle timers, faults, callbacks, media. Routes translate HTTP to these methods; pure
 * decisions live in validation, account-choice, admission, job-plan and job-record.
 */
export class Simulator {
  readonly accounts: AccountBook;
  readonly jobs = new JobStore();
  readonly imageJobs = new JobStore<SimImageJob>();
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
  /** Every finished video clip by mediaGenerationId: the sources upscale and extend accept. */
  private readonly videos = new Map<string, KnownVideo>();
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
    if (!parsed.ok) return { answer: useapiError(400, parsed.error), note: { prompt: promptOf(body), cause: 'validation' } };
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
    const foreign = this.foreignAsset(imagesOf(request), account.email);
    if (foreign) return { answer: useapiError(403, MESSAGES.foreignImage(foreign, userPartOf(foreign))), note: { ...note, cause: 'account' } };
    const fault = splitFault(this.submitFaults.peek(account.email, request.model));
    const admission = admit({
      request,
      account: { ...account, executing: account.executing.size },
      fault: fault.answering,
      markers: this.options.markers,
      now,
      version: this.options.apiVersion,
    });
    if (!admission.ok) {
      if (admission.cause === 'injected') {
        this.submitFaults.take(account.email, request.model);
        if (admission.answer.status === 429) account.injected429s += 1;
      }
      if (admission.cause === 'concurrency') account.overSubmission429s += 1;
      return { answer: admission.answer, note: { ...note, cause: admission.cause } };
    }

    if (fault.reset) this.submitFaults.take(account.email, request.model);
    const job = this.accept(request, account, admission.cost, now);
    note.jobid = job.jobid;
    if (request.async) return { answer: { status: 201, body: jobRecord(job) }, note, reset: fault.reset };
    return new Promise((resolve) => this.waiters.set(job.jobid, (answer) => resolve({ answer, note, reset: fault.reset })));
  }

  /**
   * `POST /images`: synchronous. The call is held for `imageMs` and answered with the images;
   * several run at once per account up to its image limit, apart from its video jobs.
   */
  submitImage(body: unknown): Outcome | Promise<Outcome> {
    const now = Date.now();
    const parsed = parseImageSubmit(body);
    if (!parsed.ok) return { answer: useapiError(400, parsed.error), note: { prompt: promptOf(body), cause: 'validation' } };
    const request = parsed.request;
    const note: LogNote = { prompt: request.prompt, replyRef: request.replyRef, email: request.email };
    const references = referencesOf(request);
    const choice = chooseAccount({ email: request.email, images: references, model: request.model, accounts: this.accountViews() });
    if (!choice.ok) {
      const answer = 'answer' in choice ? choice.answer : noEligibleAccount(new Date(now + 60_000), choice.skipReasons);
      return { answer, note: { ...note, cause: 'answer' in choice ? 'account' : 'no-eligible-account' } };
    }
    const account = this.accounts.get(choice.email)!;
    note.email = account.email;
    const foreign = this.foreignAsset(references, account.email);
    if (foreign) return { answer: useapiError(403, MESSAGES.foreignImage(foreign, userPartOf(foreign))), note: { ...note, cause: 'account' } };
    const fault = splitFault(this.submitFaults.peek(account.email, request.model, 'images'));
    const admission = admitImage({
      prompt: request.prompt,
      account: { state: account.state, imagesExecuting: account.imagesExecuting.size, maxConcurrentImages: account.maxConcurrentImages },
      fault: fault.answering,
      markers: this.options.markers,
      now,
      version: this.options.apiVersion,
    });
    if (!admission.ok) {
      if (admission.cause === 'injected') {
        this.submitFaults.take(account.email, request.model, 'images');
        if (admission.answer.status === 429) account.injected429s += 1;
      }
      if (admission.cause === 'concurrency') account.overImage429s += 1;
      return { answer: admission.answer, note: { ...note, cause: admission.cause } };
    }
    if (fault.reset) this.submitFaults.take(account.email, request.model, 'images');

    const seq = ++this.jobSeq;
    const rng = createRng(this.options.seed, `image:${seq}`);
    const created = this.nextJobMs(account.email, now);
    const job: SimImageJob = {
      jobid: imageJobId(created, account.email),
      seq,
      email: account.email,
      status: 'started',
      created,
      updated: created,
      request,
      // A requested seed makes image i use seed + i, as for video clips.
      images: Array.from({ length: request.count }, (_, i) => ({
        seed: request.seed === undefined ? rng.int(0, 2 ** 31 - 1) : request.seed + i,
        uuid: rng.uuid(),
      })),
      generationMs: rng.int(this.options.imageMs.min, this.options.imageMs.max),
      failed: request.prompt.includes(this.options.markers.fail),
      expired: false,
    };
    note.jobid = job.jobid;
    this.imageJobs.add(job);
    this.accounts.startImage(account, job.jobid);
    return new Promise((resolve) => {
      this.waiters.set(job.jobid, (answer) => resolve({ answer, note, reset: fault.reset }));
      this.after(job.generationMs, () => this.finishImage(job));
    });
  }

  /** `POST /videos/upscale`: an async job on the account that owns the video. */
  upscaleVideo(body: unknown): Outcome {
    const parsed = parseUpscaleSubmit(body);
    if (!parsed.ok) return { answer: useapiError(400, parsed.error), note: { cause: 'validation' } };
    const request = parsed.request;
    const found = this.sourceOf(request.mediaGenerationId, request.email);
    const note: LogNote = { replyRef: request.replyRef, email: found.ok ? found.account.email : request.email };
    if (!found.ok) return { answer: found.answer, note: { ...note, cause: 'account' } };
    const { account, video } = found;
    return this.acceptEdit('upscale', note, {
      account,
      model: undefined,
      faultModel: video.model,
      cost: upscaleCreditsFor(request.resolution),
      tiers: upscaleTiersFor(request.resolution),
      request: {
        prompt: '',
        model: video.model,
        aspectRatio: video.aspectRatio,
        count: 1,
        async: request.async,
        replyUrl: request.replyUrl,
        replyRef: request.replyRef,
      },
      action: { kind: 'upscale', source: request.mediaGenerationId, resolution: request.resolution },
    });
  }

  /** `POST /videos/extend`: 8 s more of a Veo video, an async job on the account that owns it. */
  extendVideo(body: unknown): Outcome {
    const parsed = parseExtendSubmit(body);
    if (!parsed.ok) return { answer: useapiError(400, parsed.error), note: { prompt: promptOf(body), cause: 'validation' } };
    const request = parsed.request;
    const found = this.sourceOf(request.mediaGenerationId, request.email);
    const note: LogNote = { prompt: request.prompt, replyRef: request.replyRef, email: found.ok ? found.account.email : request.email };
    if (!found.ok) return { answer: found.answer, note: { ...note, cause: 'account' } };
    const { account, video } = found;
    if (!canExtendWith(video.model)) return { answer: useapiError(400, MESSAGES.notExtendable(video.model)), note: { ...note, cause: 'validation' } };
    return this.acceptEdit('extend', note, {
      account,
      model: request.model,
      faultModel: request.model,
      cost: extendCreditsFor(request, account.tier),
      tiers: specOf(request.model).tiers,
      request: {
        prompt: request.prompt,
        model: request.model,
        aspectRatio: video.aspectRatio,
        count: request.count,
        seed: request.seed,
        async: request.async,
        replyUrl: request.replyUrl,
        replyRef: request.replyRef,
      },
      action: { kind: 'extend', source: request.mediaGenerationId },
    });
  }

  /** The account a source video names and the video itself, or useapi's refusal. */
  private sourceOf(mediaId: string, email: string | undefined): { ok: true; account: SimAccount; video: KnownVideo } | { ok: false; answer: SimAnswer } {
    const owner = accountOfMediaId(mediaId);
    if (owner === null) return { ok: false, answer: useapiError(400, `Invalid mediaGenerationId ${mediaId}`) };
    if (email !== undefined && email !== owner) return { ok: false, answer: useapiError(403, MESSAGES.foreignImage(mediaId, userPartOf(mediaId))) };
    const account = this.accounts.get(owner);
    if (!account) return { ok: false, answer: useapiError(404, MESSAGES.accountNotFound(owner)) };
    const video = this.videos.get(mediaId);
    if (!video || video.email !== owner) return { ok: false, answer: useapiError(404, MESSAGES.videoNotFound(mediaId)) };
    return { ok: true, account, video };
  }

  private acceptEdit(
    endpoint: Extract<SimEndpoint, 'upscale' | 'extend'>,
    note: LogNote,
    edit: {
      account: SimAccount;
      model: VideoModel | undefined;
      faultModel: string;
      cost: number;
      tiers: readonly ('ultra' | 'pro')[];
      request: Omit<VideoSubmit, 'resolution' | 'duration' | 'aspectRatio'> & { aspectRatio: VideoSubmit['aspectRatio'] };
      action: VideoAction;
    },
  ): Outcome {
    const now = Date.now();
    const { account } = edit;
    const fault = splitFault(this.submitFaults.peek(account.email, edit.faultModel, endpoint));
    const admission = admitEdit({
      prompt: edit.request.prompt || undefined,
      model: edit.model,
      tiers: edit.tiers,
      cost: edit.cost,
      account: { ...account, executing: account.executing.size },
      fault: fault.answering,
      markers: this.options.markers,
      now,
      version: this.options.apiVersion,
    });
    if (!admission.ok) {
      if (admission.cause === 'injected') {
        this.submitFaults.take(account.email, edit.faultModel, endpoint);
        if (admission.answer.status === 429) account.injected429s += 1;
      }
      if (admission.cause === 'concurrency') account.overSubmission429s += 1;
      return { answer: admission.answer, note: { ...note, cause: admission.cause } };
    }
    if (fault.reset) this.submitFaults.take(account.email, edit.faultModel, endpoint);
    const job = this.accept(edit.request as VideoSubmit, account, admission.cost, now, edit.action);
    note.jobid = job.jobid;
    return { answer: { status: 201, body: jobRecord(job) }, note, reset: fault.reset };
  }

  /** `rawJobId` is the path segment exactly as sent: useapi refuses encoded jobids. */
  getJob(rawJobId: string): Outcome {
    const note: LogNote = { jobid: rawJobId };
    if (rawJobId.includes('%') || parseJobId(rawJobId) === null) return { answer: useapiError(400, MESSAGES.invalidJobId), note };
    const image = this.imageJobs.get(rawJobId);
    if (image) {
      note.email = image.email;
      note.prompt = image.request.prompt;
      note.replyRef = image.request.replyRef;
      if (this.isExpired(image, Date.now())) return { answer: useapiError(410, MESSAGES.jobExpired(rawJobId)), note };
      return { answer: { status: 200, body: imageJobRecord(image, this.imageLinksOf(image)) }, note };
    }
    const job = this.jobs.get(rawJobId);
    if (!job) return { answer: useapiError(404, MESSAGES.jobNotFound(rawJobId)), note };
    note.email = job.email;
    note.prompt = job.request.prompt;
    note.replyRef = job.request.replyRef;
    if (this.isExpired(job, Date.now())) return { answer: useapiError(410, MESSAGES.jobExpired(rawJobId)), note };
    return { answer: { status: 200, body: jobRecord(job, this.linksOf(job)) }, note };
  }

  /**
   * `GET /jobs?options=summary|executing|history`. 2026 notes: per-account stats, `executing`
   * the running jobs, `history` adds the 10 latest finished in the last 15 minutes. The exact
   * body is not documented: the simulator answers `{ accounts: { email: stats }, jobs: [record...] }`,
   * newest first. 2025: `{ jobs }`, the executing jobs or the last 100.
   */
  listJobs(query: { options?: string; email?: string }): Outcome {
    const note: LogNote = { email: query.email };
    if (query.email !== undefined && !this.accounts.get(query.email)) {
      return { answer: useapiError(404, MESSAGES.accountNotFound(query.email)), note };
    }
    const now = Date.now();
    const render = (job: SimJob | SimImageJob) => ('images' in job ? imageJobRecord(job, this.imageLinksOf(job)) : jobRecord(job, this.linksOf(job)));
    const live = (job: SimJob | SimImageJob) => !this.isExpired(job, now);
    const executing = this.allJobs({ email: query.email, executing: true }).filter(live);
    if (this.options.apiVersion === '2025') {
      const jobs = query.options === 'executing' ? executing : this.jobs.list({ email: query.email, limit: LEGACY_LIST_LIMIT }).filter(live);
      return { answer: { status: 200, body: { jobs: jobs.map(render) } }, note };
    }
    const history = this.allJobs({ email: query.email })
      .filter((job) => live(job) && (job.status === 'completed' || job.status === 'failed') && now - job.updated <= HISTORY_WINDOW_MS)
      .slice(0, HISTORY_LIMIT);
    const jobs = query.options === 'executing' ? executing : query.options === 'history' ? [...executing, ...history] : [];
    return { answer: { status: 200, body: { accounts: this.accountStats(query.email, now), jobs: jobs.map(render) } }, note };
  }

  /** Video and image jobs together, newest first. */
  private allJobs(filter: { email?: string; executing?: boolean }): Array<SimJob | SimImageJob> {
    return [...this.jobs.list(filter), ...this.imageJobs.list(filter)].sort((a, b) => b.seq - a.seq);
  }

  /** useapi's per-account score: executing + 10 x failed + 20 x rateLimited over 15 minutes. */
  private accountStats(email: string | undefined, now: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const account of this.accounts.list()) {
      if (email !== undefined && account.email !== email) continue;
      const recent = this.allJobs({ email: account.email }).filter((j) => now - j.updated <= HISTORY_WINDOW_MS);
      const failed = recent.filter((j) => j.status === 'failed').length;
      const executing = account.executing.size;
      out[account.email] = { executing, failed, rateLimited: account.injected429s + account.overSubmission429s, score: executing + 10 * failed };
    }
    return out;
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
    // An armed fault answers instead; `connection-reset` keeps the asset and loses the answer (an upload cut mid-way).
    const fault = this.submitFaults.take(account.email, '', 'assets');
    if (fault && fault.kind !== 'connection-reset')
      return { answer: faultAnswer(fault, Date.now(), this.options.apiVersion), note: { ...note, cause: 'injected' } };
    const id = mediaGenerationId(account.email, 'image', createRng(this.options.seed, `asset:${++this.assetSeq}`).uuid());
    this.assets.set(id, { email: account.email, bytes: bytes.length });
    if (fault) return { answer: { status: 200, body: {} }, note, reset: true };
    return {
      answer: {
        status: 200,
        body: { mediaGenerationId: { mediaGenerationId: id }, width: size.width, height: size.height, email: account.email, media: { name: id } },
      },
      note,
    };
  }

  /** The first of `images` that lives on another account than `email`. */
  private foreignAsset(images: string[], email: string): string | undefined {
    return images.find((image) => {
      const held = this.assets.get(image);
      return held !== undefined && held.email !== email;
    });
  }

  private accountViews() {
    return this.accounts.list().map((a) => ({ ...a, executing: a.executing.size }));
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
    return { answer: { status: 200, body: accountDetails(account, Date.now(), this.options.apiVersion) }, note: { email } };
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
    return kind === 'mp4'
      ? { status: 200, contentType: 'video/mp4', body: mp4OfSize(this.options.clipBytes) }
      : { status: 200, contentType: 'image/jpeg', body: SAMPLE_JPEG };
  }

  expireJob(jobid: string): boolean {
    return this.jobs.expire(jobid) || this.imageJobs.expire(jobid);
  }

  expireAllJobs(): number {
    return this.jobs.expireAll() + this.imageJobs.expireAll();
  }

  /** Back to the configured state: no jobs, no faults, fresh accounts and log, same seed. */
  reset(): void {
    this.stopJobs();
    this.jobs.clear();
    this.imageJobs.clear();
    this.videos.clear();
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
    for (const account of this.accounts.list()) {
      account.executing.clear();
      account.imagesExecuting.clear();
    }
  }

  /** The jobid carries epoch ms and email; two jobs of one account in the same ms must differ. */
  private nextJobMs(email: string, now: number): number {
    const created = Math.max(now, (this.lastJobMs.get(email) ?? 0) + 1);
    this.lastJobMs.set(email, created);
    return created;
  }

  private finishImage(job: SimImageJob): void {
    const now = Date.now();
    job.status = job.failed ? 'failed' : 'completed';
    job.updated = now;
    if (!job.failed) {
      for (const image of job.images) {
        this.mediaFiles.add(image.uuid);
        // A made image may be a reference of later calls on the same account, like an upload.
        this.assets.set(imageMediaId(job, image), { email: job.email, bytes: SAMPLE_JPEG.length });
      }
      job.links = job.images.map((image) => this.signer.sign(image.uuid, 'jpg', now));
    }
    this.accounts.stopImage(job.email, job.jobid);
    if (job.request.replyUrl !== undefined && !this.closed) {
      this.callbacks.send(job.jobid, job.request.replyUrl, job.status, imageJobRecord(job, this.imageLinksOf(job)));
    }
    const waiter = this.waiters.get(job.jobid);
    if (waiter) {
      this.waiters.delete(job.jobid);
      waiter(imageAnswer(job, this.imageLinksOf(job)));
    }
  }

  private imageLinksOf(job: SimImageJob): string[] {
    if (job.status !== 'completed') return [];
    if (this.options.urlSigning === 'read') return job.images.map((image) => this.signer.sign(image.uuid, 'jpg', Date.now()));
    return job.links ?? [];
  }

  private accept(request: SimJob['request'], account: SimAccount, cost: number, now: number, action?: VideoAction): SimJob {
    const seq = ++this.jobSeq;
    const plan = planJob(request, createRng(this.options.seed, `job:${seq}`), {
      startDelayMs: this.options.startDelayMs,
      generationMs: this.options.generationMs,
      markers: this.options.markers,
      responseShape: this.responseShape,
    });
    const created = this.nextJobMs(account.email, now);
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
      ...(action ? { action } : {}),
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
      for (const clip of job.plan.clips) {
        if (clip.failed) continue;
        this.mediaFiles.add(clip.uuid);
        this.videos.set(clipMediaId(job, clip), { email: job.email, model: job.request.model, aspectRatio: job.request.aspectRatio });
      }
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

  private isExpired(job: SimJob | SimImageJob, now: number): boolean {
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
