import { IMAGE_CONTENT_TYPES, archiveAction, copyFromUrl, failureOf, refreshBeforeCopy, type ArchiveFailure } from '@flowq/media-store';
import { findJob, finishArchiving, followUpIdsOf, markMediaArchived, markMediaAttemptFailed, pendingMediaFiles, refreshUpstreamUrls } from '@flowq/db';
import { enqueueGenerate } from '@flowq/queue';
import { clipsOf, imagesOf, type UpstreamJobRecord } from '@flowq/useapi-client';
import type { WorkerDeps } from './deps';

export type ArchiveDeps = Pick<WorkerDeps, 'config' | 'database' | 'client' | 'logger' | 'metrics' | 'mediaStore' | 'queue'>;

/** A try that left files pending (the store or the link's host was away): BullMQ tries again after its backoff. */
export class ArchiveRetryError extends Error {
  constructor(pending: number, lastError: string) {
    super(`${pending} file(s) still to archive: ${lastError}`);
    this.name = 'ArchiveRetryError';
  }
}

const MAX_FILE_BYTES = 2 * 1024 ** 3;

/**
 * One try at copying a job's pending files (`media_files`) into the media store, one file after
 * the other. A file is `archived` once stored whole, or given up (the job ends without it, saying
 * why). When every file is one or the other, the job succeeds (finishArchiving, which also writes
 * its client callback). Anything left pending makes the try throw, so BullMQ retries with backoff.
 * Safe to run twice at once or after a crash: each row changes only from `pending`.
 */
export async function archiveJob(
  deps: ArchiveDeps,
  jobId: string,
  attempt: number,
  now: () => Date = () => new Date(),
): Promise<'succeeded' | 'not_archiving'> {
  const { database, config, logger, metrics, mediaStore } = deps;
  const db = database.db;
  const job = await findJob(db, jobId);
  if (job?.status !== 'archiving') return 'not_archiving';
  const maxAttempts = config.media.archiveAttempts;
  let refreshed = false;
  const queue = await pendingMediaFiles(db, jobId);
  const total = queue.length;

  // Fresh links from the upstream job, for files whose links are dead or past their lifetime.
  async function refresh(): Promise<void> {
    refreshed = true;
    if (!job?.upstreamJobId) return;
    const answer = await deps.client.getJob(job.upstreamJobId);
    if (!answer.ok) {
      // useapi forgot the job (404): there are no fresh links to be had. Anything else may pass.
      if (answer.status === 404) return;
      throw new ArchiveRetryError(queue.length + 1, `reading the upstream job for fresh links answered ${answer.status}`);
    }
    if (answer.data.status !== 'completed') return;
    const links = job?.kind === 'image' ? imageLinksOf(answer.data, now()) : clipLinksOf(answer.data, now(), config.media.upstreamLinkTtlMs);
    const expiresAt = links.find((l) => l.expiresAt)?.expiresAt ?? new Date(now().getTime() + config.media.upstreamLinkTtlMs);
    await refreshUpstreamUrls(db, jobId, links, expiresAt);
    logger.info({ jobId, links: links.length }, 'archive: read the upstream job again for fresh links');
  }
  const freshRows = async () => new Map((await pendingMediaFiles(db, jobId)).map((f) => [f.id, f]));

  if (queue.some((f) => refreshBeforeCopy(f.upstreamExpiresAt, { now: now(), refreshed }))) {
    await refresh();
    const fresh = await freshRows();
    queue.splice(0, queue.length, ...queue.flatMap((f) => fresh.get(f.id) ?? []));
  }

  let left = 0;
  let lastError = '';
  for (let file = queue.shift(); file; file = queue.shift()) {
    try {
      const stored = await copyFromUrl(mediaStore, file.upstreamUrl, file.storageKey, {
        accept: file.kind === 'video' ? ['video/mp4'] : IMAGE_CONTENT_TYPES,
        maxBytes: MAX_FILE_BYTES,
        timeoutMs: config.media.archiveTimeoutMs,
      });
      await markMediaArchived(db, file.id, { bytes: stored.bytes, sha256: stored.sha256, contentType: stored.contentType });
      metrics.archivedBytes.inc(stored.bytes);
      metrics.archivedFiles.inc({ kind: file.kind });
    } catch (err) {
      const failure = failureOf(err);
      const action = archiveAction(failure, { refreshed, attempt, maxAttempts });
      metrics.archiveFailures.inc({ reason: failure.kind, action: action === 'refresh_links' ? 'refresh' : action === 'retry_later' ? 'retry' : 'give_up' });
      const message = (err as Error)?.message ?? String(err);
      if (action === 'refresh_links') {
        await refresh();
        const fresh = await freshRows();
        queue.splice(0, queue.length, ...queue.flatMap((f) => fresh.get(f.id) ?? []));
        const again = fresh.get(file.id);
        // Try this file again at once with its fresh link; the same link again means there is none.
        if (again && again.upstreamUrl !== file.upstreamUrl) {
          queue.unshift(again);
          continue;
        }
      }
      if (action === 'refresh_links' || action === 'give_up') {
        if (action === 'refresh_links') metrics.archiveFailures.inc({ reason: failure.kind, action: 'give_up' });
        await markMediaAttemptFailed(db, file.id, giveUpMessage(failure, message, refreshed), true);
        logger.warn({ jobId, clip: file.clipIndex, kind: file.kind, attempt, reason: message }, 'archive: file given up');
        continue;
      }
      await markMediaAttemptFailed(db, file.id, message, false);
      left++;
      lastError = message;
    }
  }
  if (left > 0) throw new ArchiveRetryError(left, lastError);
  const ended = await finishArchiving(db, jobId);
  if (ended?.completedAt) metrics.jobDuration.observe({ status: ended.status }, (ended.completedAt.getTime() - ended.createdAt.getTime()) / 1000);
  if (ended) logger.info({ jobId, files: total, ms: Date.now() - ended.createdAt.getTime() }, 'job succeeded (archived)');
  // The chain's follow-ups were created with the success; queue them now (the reconciler would, later).
  if (ended && (ended.request as { then?: unknown[] }).then?.length) {
    for (const id of await followUpIdsOf(db, jobId)) await enqueueGenerate(deps.queue, id, ended.priority).catch(() => undefined);
  }
  return 'succeeded';
}

function giveUpMessage(failure: ArchiveFailure, message: string, refreshed: boolean): string {
  if (failure.kind === 'dead_link') return `the upstream link is dead (${message})${refreshed ? '; reading the job again gave no working link' : ''}`;
  if (failure.kind === 'bad_content') return `the upstream file is not what it should be (${message})`;
  return `could not be copied after every try (${message})`;
}

type FreshLink = { clip: number; kind: 'video' | 'thumbnail' | 'image'; url: string; expiresAt: Date | null };

function clipLinksOf(record: UpstreamJobRecord, now: Date, ttlMs: number): FreshLink[] {
  const { clips } = clipsOf(record, now, ttlMs);
  return clips.flatMap((c, clip) => [
    ...(c.videoUrl ? [{ clip, kind: 'video' as const, url: c.videoUrl, expiresAt: c.expiresAt }] : []),
    ...(c.thumbnailUrl ? [{ clip, kind: 'thumbnail' as const, url: c.thumbnailUrl, expiresAt: c.expiresAt }] : []),
  ]);
}

/** An image job's record carries its images in the order of its result. */
function imageLinksOf(record: UpstreamJobRecord, now: Date): FreshLink[] {
  return imagesOf(record, now).map((i, clip) => ({
    clip,
    kind: 'image' as const,
    url: i.url,
    expiresAt: i.upstreamExpiresAt ? new Date(i.upstreamExpiresAt) : null,
  }));
}
