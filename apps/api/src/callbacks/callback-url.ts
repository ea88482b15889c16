import { assertFetchableUrl, ValidationError, type SsrfAllowList } from '@flowq/core';
import type { CallbackSecrets } from './callback-secrets';

/**
 * A client's `callbackUrl`, checked when it is given: https (plain http only for
 * SSRF_ALLOWLIST hosts), no address inside the network, and a key that can sign it.
 * Throws a 400 naming `field`; answers the URL as it will be called.
 */
/** What checking a callback URL needs, built once by the app. */
export interface CallbackUrlCheck {
  allow: SsrfAllowList;
  secrets: CallbackSecrets;
}

export async function checkCallbackUrl(
  input: string,
  opts: { ownerKey: string | null; allow: SsrfAllowList; secrets: CallbackSecrets; field?: string },
): Promise<string> {
  const field = opts.field ?? 'callbackUrl';
  if (input.length > 2_048) throw new ValidationError(`${field}: must be at most 2048 characters`, field);
  const { url } = await assertFetchableUrl(input, { allow: opts.allow, field, requireHttps: true });
  if (!(await opts.secrets.secretFor(opts.ownerKey))) {
    throw new ValidationError(
      `${field}: this API key has no callback signing secret (rotate one with \`flowq keys rotate-secret\`; bootstrap keys need FLOWQ_WEBHOOK_SECRET)`,
      field,
    );
  }
  return url.href;
}
