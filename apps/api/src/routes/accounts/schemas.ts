import { z } from 'zod';

const TIERS = ['ultra', 'pro'] as const;
const STATES = ['active', 'cooling', 'needs_reauth', 'no_credits', 'disabled', 'missing'] as const;
/** A week: longer than any cool-off useapi's limits call for. */
export const MAX_COOL_OFF_MINUTES = 10_080;

const integer = (min: number, max: number) => {
  const msg = `must be an integer from ${min} to ${max}`;
  return z.number({ error: msg }).int(msg).min(min, msg).max(max, msg);
};

const email = z.email('must be an email address').max(254, 'must be an email address');
const tier = z.enum(TIERS, { error: 'must be one of ultra, pro' });
const enabled = z.boolean({ error: 'must be true or false' });
const maxConcurrent = integer(1, 100);
const maxPerMinute = integer(1, 600);
const reason = z.string({ error: 'must be a text' }).trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');

export const accountEmailParams = z.object({ email });

export const createAccountBody = z
  .object({ email, tier: tier.optional(), enabled: enabled.optional(), maxConcurrent: maxConcurrent.optional(), maxPerMinute: maxPerMinute.optional() })
  .strict()
  .meta({ id: 'CreateAccountRequest' });

export const updateAccountBody = z
  .object({
    tier: tier.optional(),
    enabled: enabled.optional(),
    maxConcurrent: maxConcurrent.optional(),
    maxPerMinute: maxPerMinute.optional(),
    state: z.enum(['active', 'disabled'], { error: 'can only be set to active or disabled by hand' }).optional(),
    /** Stored with the change. */
    reason: reason.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), { message: 'must name at least one of tier, enabled, maxConcurrent, maxPerMinute, state' })
  .meta({ id: 'UpdateAccountRequest' });

export const coolOffBody = z
  .object({
    minutes: integer(1, MAX_COOL_OFF_MINUTES),
    reason: z.string({ error: 'is required' }).trim().min(1, 'is required').max(500, 'must be at most 500 characters'),
  })
  .strict()
  .meta({ id: 'CoolOffRequest' });

export const deleteAccountQuery = z.object({
  drain: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
});

const counts = z.object({ succeeded: z.number(), failed: z.number(), throttled: z.number() });

export const accountEventSchema = z
  .object({
    at: z.string(),
    kind: z.string(),
    fromState: z.string().nullable(),
    toState: z.string().nullable(),
    reason: z.string().nullable(),
    until: z.string().nullable(),
  })
  .meta({ id: 'AccountEvent' });

export const accountSchema = z
  .object({
    email: z.string(),
    tier: z.enum(TIERS),
    enabled: z.boolean(),
    state: z.enum(STATES),
    stateReason: z.string().nullable(),
    coolingUntil: z.string().nullable(),
    maxConcurrent: z.number(),
    maxPerMinute: z.number(),
    remainingCredits: z.number().nullable(),
    /** The video models useapi says the account may run; null until a sync read them. */
    videoModels: z.array(z.string()).nullable(),
    /** Models it refused with 403 MODEL_ACCESS_DENIED, with when. */
    deniedModels: z.record(z.string(), z.string()),
    draining: z.boolean(),
    modelQuotaUntil: z.record(z.string(), z.string()),
    /**
     * From Redis; null when it could not be read. `workingLimit`: the concurrency flowq learned the
     * account takes (cut on throttling 429s, raised after clean completions, never above
     * `maxConcurrent`); null when never cut.
     */
    live: z.object({ running: z.number(), submittedLastMinute: z.number(), workingLimit: z.number().nullable() }).nullable(),
    stats: z.object({ windowMinutes: z.number(), recent: counts, total: counts, meanGenerationMs: z.number().nullable() }),
    events: z.array(accountEventSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Account' });

export const accountListSchema = z.object({ items: z.array(accountSchema) }).meta({ id: 'AccountList' });

export const syncSummarySchema = z
  .object({
    added: z.array(z.string()),
    updated: z.array(z.string()),
    unhealthy: z.array(z.string()),
    notAtUseapi: z.array(z.string()),
    accounts: z.array(accountSchema),
  })
  .meta({ id: 'AccountSyncSummary' });
