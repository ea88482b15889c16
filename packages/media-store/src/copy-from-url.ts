import { Agent, interceptors, request } from 'undici';
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

// undici's request answers a Node stream: the body goes straight into the store without the
// web-stream layer `fetch` adds (bench archive measured it). Redirects are followed as by fetch.
const downloads = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));

/**
 * Stream the file at `url` into `key`: never whole in memory, its type checked by its bytes,
 * stored only once every byte has arrived. `timeoutMs` bounds the whole download.
 */
export async function copyFromUrl(store: MediaStore, url: string, key: string, options: PutOptions & { timeoutMs: number }): Promise<StoredObject> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, { dispatcher: downloads, signal });
  } catch (e) {
    const timedOut = signal.aborted || (e as Error).name === 'TimeoutError';
    throw new DownloadError(`download failed: ${timedOut ? 'timed out' : (e as Error).message}`);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump().catch(() => {});
    throw new DownloadError(`download answered ${res.statusCode}`, res.statusCode);
  }
  const { timeoutMs: _timeout, ...putOptions } = options;
  return store.put(key, res.body, putOptions);
}
