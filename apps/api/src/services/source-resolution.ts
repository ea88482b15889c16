import {
  accountForJob,
  accountOfMediaId,
  creditsOfJob,
  JOB_KIND_SPECS,
  ValidationError,
  type ExtendRequest,
  type ResolvedVideoSource,
  type UpscaleRequest,
} from '@flowq/core';
import { findAccount, findJob, type Db } from '@flowq/db';

/** How a source's job and account are read: straight from the database, or remembered over one batch upload. */
export interface SourceLookups {
  job(id: string): ReturnType<typeof findJob>;
  account(email: string): ReturnType<typeof findAccount>;
}

const directLookups = (db: Db): SourceLookups => ({ job: (id) => findJob(db, id), account: (email) => findAccount(db, email) });

/**
 * The lookups of one batch upload: many rows naming the same source job or account read it
 * once. The upload is a moment in time, so what was read at its start holds for its rows.
 */
export function rememberedLookups(db: Db): SourceLookups {
  const jobs = new Map<string, ReturnType<typeof findJob>>();
  const accounts = new Map<string, ReturnType<typeof findAccount>>();
  const once = <T>(cache: Map<string, T>, key: string, read: () => T): T => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = read()));
    return value;
  };
  return {
    job: (id) => once(jobs, id, () => findJob(db, id)),
    account: (email) => once(accounts, email, () => findAccount(db, email)),
  };
}

/**
 * An upscale or extend at intake: its source resolved to the clip's mediaGenerationId, and the
 * account rule (`accountForJob`) applied to the account that made it as the pool knows it now,
 * so a request no account can ever run (4K on a non-Ultra account, an account that left the
 * pool, a clip that does not exist) is a 400 naming the field, before anything is queued.
 * Waiting (the account busy or cooling) is the worker's business.
 */
export async function resolveEditRequest<R extends UpscaleRequest | ExtendRequest>(
  db: Db,
  kind: 'upscale' | 'extend',
  request: R,
  opts: { owner?: string; maxCredits?: number | null; lookups?: SourceLookups },
): Promise<R & { source: ResolvedVideoSource }> {
  const lookups = opts.lookups ?? directLookups(db);
  const source = request.source;
  let resolved: ResolvedVideoSource;
  if ('jobId' in source) {
    const job = await lookups.job(source.jobId);
    if (!job || (opts.owner !== undefined && job.ownerKey !== opts.owner))
      throw new ValidationError(`source.jobId: job ${source.jobId} not found`, 'source.jobId');
    if (job.status !== 'succeeded') throw new ValidationError(`source.jobId: job ${source.jobId} has not succeeded (it is ${job.status})`, 'source.jobId');
    const clip = job.result?.videos[source.clip];
    if (!clip || clip.status !== 'succeeded' || !clip.mediaGenerationId) {
      throw new ValidationError(`source.clip: job ${source.jobId} has no finished clip ${source.clip}`, 'source.clip');
    }
    resolved = { jobId: source.jobId, clip: source.clip, mediaGenerationId: clip.mediaGenerationId };
  } else {
    resolved = { mediaGenerationId: source.mediaGenerationId };
  }
  const email = accountOfMediaId(resolved.mediaGenerationId);
  if (email === null) throw new ValidationError('source.mediaGenerationId: names no account (not a Flow mediaGenerationId)', 'source.mediaGenerationId');
  const account = await lookups.account(email);
  const full = { ...request, source: resolved };
  const tiers = (JOB_KIND_SPECS[kind].tiers as unknown as (r: typeof full) => readonly ('ultra' | 'pro')[])(full);
  const verdict = accountForJob({
    kind,
    source: resolved.mediaGenerationId,
    tiers,
    owner: account ? { email: account.email, tier: account.tier, status: account.draining || account.state === 'missing' ? 'gone' : 'ready' } : undefined,
  });
  if (verdict.verdict === 'fail') {
    const field = verdict.code === 'source_account_gone' ? 'source' : kind === 'upscale' ? 'resolution' : 'model';
    throw new ValidationError(`${field}: ${verdict.message}`, field);
  }
  if (account && opts.maxCredits != null) {
    const cost = creditsOfJob(kind, full as never, account.tier);
    if (cost > opts.maxCredits) throw new ValidationError(`maxCredits: this ${kind} costs ${cost} credits on ${account.email}`, 'maxCredits');
  }
  return full;
}
