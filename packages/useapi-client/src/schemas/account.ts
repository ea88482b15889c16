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
  /** The video models the account may run (`models.videoModels[]`); absent when useapi did not say. */
  videoModels?: AccountVideoModel[];
}

/**
 * One entry of `models.videoModels[]` (2026). The notes name the keys but show no values: `key`
 * is read as useapi's model id (`veo-3.1-fast`), which is inferred. A plain list of ids (the
 * 2025 simulator) is read as entries with only a key.
 */
export interface AccountVideoModel {
  key: string;
  creditCost?: number;
  paygateTier?: string;
  accessType?: string;
}

const videoModelSchema = z.looseObject({
  key: z.string().min(1),
  creditCost: z.number().nullish(),
  paygateTier: z.string().nullish(),
  accessType: z.string().nullish(),
});

const modelsSchema = z.union([
  z.looseObject({ videoModels: z.array(z.unknown()) }).transform((m) => m.videoModels),
  z.array(z.unknown()),
  z.unknown().transform(() => undefined),
]);

function videoModelsOf(raw: unknown): AccountVideoModel[] | undefined {
  const list = modelsSchema.parse(raw);
  if (list === undefined) return undefined;
  const out: AccountVideoModel[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      out.push({ key: item });
      continue;
    }
    const parsed = videoModelSchema.safeParse(item);
    if (!parsed.success) continue;
    const m: AccountVideoModel = { key: parsed.data.key };
    if (typeof parsed.data.creditCost === 'number') m.creditCost = parsed.data.creditCost;
    if (typeof parsed.data.paygateTier === 'string') m.paygateTier = parsed.data.paygateTier;
    if (typeof parsed.data.accessType === 'string') m.accessType = parsed.data.accessType;
    out.push(m);
  }
  return out;
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
  if (b.models !== undefined && b.models !== null) {
    const models = videoModelsOf(b.models);
    if (models !== undefined) out.videoModels = models;
  }
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
