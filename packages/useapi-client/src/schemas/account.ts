import { z } from 'zod';

/** A Flow account as useapi reports it. Only `health === 'OK'` accounts should get work. */
export interface UpstreamAccount {
  email: string;
  /** `"OK"` or an error text. */
  health: string;
  healthy: boolean;
  error?: string;
  created?: string;
  sessionExpires?: string;
  nextRefreshAt?: string;
  /** Only on `GET /accounts/{email}` of a healthy account. */
  credits?: { credits: number; userPaygateTier?: string };
  /** The models the account may use, as useapi lists them (shape not documented). */
  models?: unknown;
}

const timeish = z.union([z.string(), z.number()]).nullish();

const accountBodySchema = z.looseObject({
  email: z.string().nullish(),
  health: z.string(),
  error: z.unknown().optional(),
  created: timeish,
  sessionData: z.looseObject({ expires: timeish }).nullish(),
  nextRefresh: z.looseObject({ scheduledFor: timeish }).nullish(),
  credits: z.looseObject({ credits: z.number(), userPaygateTier: z.string().nullish() }).nullish(),
  models: z.unknown().optional(),
});
type AccountBody = z.output<typeof accountBodySchema>;

function asTime(v: string | number | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? new Date(v).toISOString() : v;
}

function toAccount(email: string, b: AccountBody): UpstreamAccount {
  const out: UpstreamAccount = { email, health: b.health, healthy: b.health === 'OK' };
  if (b.error !== undefined && b.error !== null) out.error = typeof b.error === 'string' ? b.error : JSON.stringify(b.error);
  const created = asTime(b.created);
  if (created !== undefined) out.created = created;
  const expires = asTime(b.sessionData?.expires);
  if (expires !== undefined) out.sessionExpires = expires;
  const next = asTime(b.nextRefresh?.scheduledFor);
  if (next !== undefined) out.nextRefreshAt = next;
  if (b.credits) {
    out.credits = { credits: b.credits.credits };
    if (typeof b.credits.userPaygateTier === 'string') out.credits.userPaygateTier = b.credits.userPaygateTier;
  }
  if (b.models !== undefined) out.models = b.models;
  return out;
}

/** `GET /accounts`: a map keyed by email, `{}` when none. Read into a list. */
export const accountListSchema: z.ZodType<UpstreamAccount[], unknown> = z
  .record(z.string(), accountBodySchema)
  .transform((map) => Object.entries(map).map(([email, body]) => toAccount(email, body)));

/** `GET /accounts/{email}`; the email comes from the path when the body leaves it out. */
export function accountSchemaFor(email: string): z.ZodType<UpstreamAccount, unknown> {
  return accountBodySchema.transform((b) => toAccount(b.email ?? email, b));
}
