import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from './api-client';
import { downloadName, fileInside } from './file-names';

interface ResultLine {
  ref: string | null;
  row: number;
  status: string;
  videos: { url: string; thumbnailUrl: string | null }[];
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

/** Fetches to `<file>.part` and renames when complete, so a file that exists under its name is whole. */
async function fetchTo(url: string, file: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${res.status} ${res.statusText}`);
  const part = `${file}.part`;
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(part));
    await rename(part, file);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

/**
 * Downloads every video and thumbnail of a batch into `dir` as `<row>-<ref>-<n>.mp4|jpg`.
 * Resumable: files already there are complete (see fetchTo) and skipped.
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
  const one = async (url: string, name: string) => {
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
      await fetchTo(url, file);
      summary.downloaded++;
      onFile(name, 'downloaded');
    } catch (err) {
      summary.failed.push({ file: name, reason: (err as Error).message });
      onFile(name, 'failed');
    }
  };
  for await (const line of resultLines(client, id)) {
    for (const [i, video] of line.videos.entries()) {
      const files: [string, string][] = [[video.url, downloadName(line.row, line.ref, i + 1, 'mp4')]];
      if (video.thumbnailUrl) files.push([video.thumbnailUrl, downloadName(line.row, line.ref, i + 1, 'jpg')]);
      for (const [url, name] of files) {
        const p = one(url, name).finally(() => running.delete(p));
        running.add(p);
        if (running.size >= concurrency) await Promise.race(running);
      }
    }
  }
  await Promise.all(running);
  return summary;
}
