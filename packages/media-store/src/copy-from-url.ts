import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { MediaStore, PutOptions, StoredObject } from './media-store';

/** Why a download did not arrive. `status` is the HTTP status when the server answered. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/**
 * Stream the file at `url` into `key`: never whole in memory, its type checked by its bytes,
 * stored only once every byte has arrived. `timeoutMs` bounds the whole download.
 */
export async function copyFromUrl(store: MediaStore, url: string, key: string, options: PutOptions & { timeoutMs: number }): Promise<StoredObject> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw new DownloadError(`download failed: ${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new DownloadError(`download answered ${res.status}`, res.status);
  }
  const body = Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
  const { timeoutMs: _timeout, ...putOptions } = options;
  return store.put(key, body, putOptions);
}
