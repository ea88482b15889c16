/** What went wrong copying one file, as the archive step sees it. */
export type ArchiveFailure =
  /** The upstream link answered 401/403/404/410: expired or revoked, it will not come back. */
  | { kind: 'dead_link'; status: number }
  /** The bytes are not what the file should be (an error page, a wrong type). */
  | { kind: 'bad_content' }
  /** Network, timeout, a 5xx or 429 from the link's host, or the media store failing. */
  | { kind: 'transient' };

export type ArchiveAction =
  /** Read the upstream job again for fresh links, then try at once. */
  | 'refresh_links'
  /** Leave the file pending; the step is tried again with backoff. */
  | 'retry_later'
  /** Give the file up: the job ends without it, saying why. */
  | 'give_up';

/**
 * One place decides what a failed copy means. A dead link is refreshed once per try (useapi
 * re-signs links when the job is read again); if the fresh link is dead too, or there is none,
 * the file is given up. Bad content is retried while tries remain (a proxy's error page may
 * be passing), transient trouble too; the last try gives up.
 */
export function archiveAction(failure: ArchiveFailure, ctx: { refreshed: boolean; attempt: number; maxAttempts: number }): ArchiveAction {
  const last = ctx.attempt >= ctx.maxAttempts;
  if (failure.kind === 'dead_link') return ctx.refreshed ? 'give_up' : 'refresh_links';
  return last ? 'give_up' : 'retry_later';
}

export function failureOf(error: unknown): ArchiveFailure {
  const e = error as { name?: string; status?: number };
  if (e?.name === 'DownloadError' && e.status !== undefined && [401, 403, 404, 410].includes(e.status)) return { kind: 'dead_link', status: e.status };
  if (e?.name === 'MediaRejectedError') return { kind: 'bad_content' };
  return { kind: 'transient' };
}

/**
 * Read the upstream job for fresh links before copying, rather than try a link that is past
 * its estimated lifetime (flowq was down, or the job waited long in the queue). Once per try.
 */
export function refreshBeforeCopy(expiresAt: Date | null, ctx: { now: Date; refreshed: boolean }): boolean {
  if (ctx.refreshed || expiresAt === null) return false;
  return expiresAt.getTime() <= ctx.now.getTime();
}
