import { assertFetchableUrl, signCallback, type CallbackEvent, type SsrfAllowList } from '@flowq/core';
import { request, type Dispatcher } from 'undici';

export interface CallbackSend {
  url: string;
  deliveryId: string;
  event: CallbackEvent;
  body: string;
  secret: string;
}

/** What one POST got: a status code, or why there was none. */
export interface CallbackAnswer {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One signed POST of a callback. The URL is checked again (it was checked when given, but
 * DNS may have changed since) and the guarded agent checks the address it dials. Redirects
 * are not followed: a 3xx is an answer that is not a 2xx, and is retried like one.
 */
export async function sendCallback(
  send: CallbackSend,
  opts: { agent: Dispatcher; allow: SsrfAllowList; timeoutMs: number; nowS: () => number },
): Promise<CallbackAnswer> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): CallbackAnswer => ({
    statusCode,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    await assertFetchableUrl(send.url, { allow: opts.allow, field: 'callbackUrl', requireHttps: true });
  } catch (err) {
    return done(null, (err as Error).message);
  }
  try {
    const res = await request(send.url, {
      method: 'POST',
      dispatcher: opts.agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'flowq-callbacks/1',
        'flowq-event': send.event,
        'flowq-delivery-id': send.deliveryId,
        'flowq-signature': signCallback(send.secret, send.body, opts.nowS()),
      },
      body: send.body,
      signal: AbortSignal.timeout(opts.timeoutMs),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    return done(res.statusCode, res.statusCode >= 200 && res.statusCode < 300 ? null : `answered ${res.statusCode}`);
  } catch (err) {
    const e = err as Error & { cause?: Error & { code?: string }; code?: string };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return done(null, `no answer within ${opts.timeoutMs} ms`);
    const cause = e.cause ?? e;
    return done(null, cause.code ? `${cause.code}: ${cause.message}` : cause.message);
  }
}
