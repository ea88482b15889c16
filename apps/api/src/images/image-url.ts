import { assertFetchableUrl, BlockedAddressError, MAX_IMAGE_BYTES, UnprocessableInputError, ValidationError, type SsrfAllowList } from '@flowq/core';
import { fetch, type Agent } from 'undici';

/** The longest flowq waits for an image URL, every redirect and the whole body included. */
export const IMAGE_FETCH_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 3;

/**
 * Fetches an image URL a client gave in `field`, once: each address (the first and every
 * redirect) is checked by the SSRF guard before it is asked, and again at connect time by the
 * guarded agent; at most 20 MB, at most IMAGE_FETCH_TIMEOUT_MS in all. A refused address is a
 * 400 naming `field`; a URL that cannot be read (no answer, an error status, too large) a 422.
 */
export async function fetchImageUrl(
  input: string,
  opts: { field: string; allow: SsrfAllowList; agent: Agent; timeoutMs?: number },
): Promise<{ bytes: Buffer; url: string }> {
  const { field } = opts;
  if (input.length > 2_048) throw new ValidationError(`${field}: must be at most 2048 characters`, field);
  const signal = AbortSignal.timeout(opts.timeoutMs ?? IMAGE_FETCH_TIMEOUT_MS);
  const unreadable = (why: string) => new UnprocessableInputError(`${field}: the image URL could not be read: ${why}`, field);
  let next = input;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const { url } = await assertFetchableUrl(next, { allow: opts.allow, field, requireHttps: true });
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, { dispatcher: opts.agent, redirect: 'manual', signal, headers: { accept: 'image/png, image/jpeg, image/webp' } });
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof BlockedAddressError) throw new ValidationError(`${field}: must not point inside the network (${cause.message})`, field);
      throw unreadable(
        (e as Error).name === 'TimeoutError' || signal.aborted
          ? `no answer within ${(opts.timeoutMs ?? IMAGE_FETCH_TIMEOUT_MS) / 1000} s`
          : 'the connection failed',
      );
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel().catch(() => {});
      next = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel().catch(() => {});
      throw unreadable(`it answered ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_IMAGE_BYTES) {
      await res.body.cancel().catch(() => {});
      throw unreadable(`it is larger than 20 MB (${declared} bytes)`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body) {
        total += chunk.length;
        if (total > MAX_IMAGE_BYTES) {
          await res.body.cancel().catch(() => {});
          throw unreadable('it is larger than 20 MB');
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (e) {
      if (e instanceof UnprocessableInputError) throw e;
      throw unreadable(signal.aborted ? 'it did not finish in time' : 'the body was cut short');
    }
    return { bytes: Buffer.concat(chunks, total), url: url.href };
  }
  throw unreadable(`more than ${MAX_REDIRECTS} redirects`);
}
