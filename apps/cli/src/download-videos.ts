import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from './api-client';
import { downloadName, fileInside, imageExtensionOf } from './file-names';

interface ResultLine {
  ref: string | null;
  row: number;
  status: string;
  videos: { url: string | null; thumbnailUrl: string | null; downloadUrl?: string | null; thumbnailDownloadUrl?: string | null; sha256?: string | null }[];
  /** An image row's images (exports before image archiving have none). */
  images?: { url: string | null; downloadUrl?: string | null; sha256?: string | null }[];
}

/** One file to fetch: where from, whether it needs the API key (a flowq address), and its checksum when known. */
interface Download {
  url: string;
  withKey: boolean;
  sha256: string | null;
}

export interface DownloadSummary {
  downloaded: number;
  skipped: number;
  failed: { file: string; reason: string }[];
}

/** The JSON export is one row per line: reading it line by line keeps a 100,000-row batch out of memory. */
async function* resultLines(client: ApiClient, id: string): AsyncGenerator<ResultLine> {
  const res = await client.request(`/v1/batches/${encodeURIComponent(id)}/results?format=json`);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim().replace(/,$/, '');
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('{')) yield JSON.parse(line) as ResultLine;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Fetches to `<file>.part` and renames when complete, so a file that exists under its name is
 * whole. A `.part` left by a cut download is resumed with a range request; a file with a known
 * SHA-256 is checked before it takes its name (a mismatch is thrown away and reported).
 */
async function fetchTo(download: Download, file: string, key: string | undefined): Promise<void> {
  const part = `${file}.part`;
  const have = await stat(part).then(
    (s) => s.size,
    () => 0,
  );
  const headers = new Headers();
  if (download.withKey && key) headers.set('authorization', `Bearer ${key}`);
  if (have > 0) headers.set('range', `bytes=${have}-`);
  const res = await fetch(download.url, { headers });
  if (res.status === 416 && have > 0) {
    await res.body?.cancel();
  } else {
    if (!res.ok || !res.body) throw new Error(`${res.status} ${res.statusText}`);
    const append = res.status === 206 && have > 0;
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(part, { flags: append ? 'a' : 'w' }));
  }
  if (download.sha256) {
    const got = await sha256Of(part);
    if (got !== download.sha256) {
      await rm(part, { force: true });
      throw new Error(`checksum mismatch (expected sha256 ${download.sha256}, got ${got}); run download again`);
    }
  }
  await rename(part, file);
}

/**
 * Downloads every video and thumbnail of a batch into `dir` as `<row>-<ref>-<n>.mp4|jpg`, and
 * every image of an image row as `<row>-<ref>-<n>.jpg|png|webp` (the type flowq stored it as).
 * Resumable: files already there are complete (see fetchTo) and skipped; a cut one resumes.
 * Archived files come from flowq (the signed `downloadUrl`, else `url` with the API key) and
 * are checked against their SHA-256.
 */
export async function downloadBatch(
  client: ApiClient,
  id: string,
  dir: string,
  onFile: (file: string, outcome: 'downloaded' | 'skipped' | 'failed') => void = () => {},
  concurrency = 4,
): Promise<DownloadSummary> {
  await mkdir(dir, { recursive: true });
  const summary: DownloadSummary = { downloaded: 0, skipped: 0, failed: [] };
  const running = new Set<Promise<void>>();
  const one = async (download: Download, name: string) => {
    let file: string;
    try {
      file = fileInside(dir, name);
    } catch (err) {
      summary.failed.push({ file: name, reason: (err as Error).message });
      onFile(name, 'failed');
      return;
    }
    if (await exists(file)) {
      summary.skipped++;
      onFile(name, 'skipped');
      return;
    }
    try {
      await fetchTo(download, file, client.key);
      summary.downloaded++;
      onFile(name, 'downloaded');
    } catch (err) {
      summary.failed.push({ file: name, reason: (err as Error).message });
      onFile(name, 'failed');
    }
  };
  const pick = (signed: string | null | undefined, plain: string | null, sha256: string | null): Download | null =>
    signed ? { url: signed, withKey: false, sha256 } : plain ? { url: plain, withKey: plain.startsWith(`${client.base}/`), sha256 } : null;
  for await (const line of resultLines(client, id)) {
    const files: [Download, string][] = [];
    for (const [i, video] of line.videos.entries()) {
      const mp4 = pick(video.downloadUrl, video.url, video.sha256 ?? null);
      if (mp4) files.push([mp4, downloadName(line.row, line.ref, i + 1, 'mp4')]);
      const jpg = pick(video.thumbnailDownloadUrl, video.thumbnailUrl, null);
      if (jpg) files.push([jpg, downloadName(line.row, line.ref, i + 1, 'jpg')]);
    }
    for (const [i, image] of (line.images ?? []).entries()) {
      const file = pick(image.downloadUrl, image.url, image.sha256 ?? null);
      if (file) files.push([file, downloadName(line.row, line.ref, i + 1, imageExtensionOf(file.url))]);
    }
    for (const [download, name] of files) {
      const p = one(download, name).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= concurrency) await Promise.race(running);
    }
  }
  await Promise.all(running);
  return summary;
}
