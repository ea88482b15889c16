import { JOB_STATUSES } from '@flowq/core';
import { z } from 'zod';
import { errorSchema, jobSchema, maxCreditsField } from '../jobs/schemas';

const rowIssue = z.object({ row: z.number(), column: z.string(), message: z.string() });

export const createBatchQuery = z.object({
  name: z.string().max(200).optional(),
  onInvalid: z.enum(['reject', 'skip']).default('reject'),
  delimiter: z.string().max(16).optional(),
  /** Request fields every row gets unless it says otherwise, as JSON (CSV uploads; a JSON body has its own). */
  defaults: z.string().max(16_384).optional(),
  model: z.string().max(64).optional(),
  aspectRatio: z.string().max(32).optional(),
  duration: z.string().max(8).optional(),
  resolution: z.string().max(16).optional(),
  count: z.string().max(8).optional(),
  priority: z.string().max(8).optional(),
  /** Called, signed, once every job of the batch has ended (CSV uploads; a JSON body may say it too). */
  callbackUrl: z.string().max(2_048).optional(),
  /** The batch's budget in credits (CSV uploads; a JSON body may say it too). */
  maxCredits: z.coerce.number({ error: 'must be a whole number of credits, 0 or more' }).pipe(maxCreditsField).optional(),
});

export const createBatchJsonBody = z
  .object({
    name: z.string({ error: 'must be text' }).max(200, 'must be at most 200 characters').optional(),
    defaults: z.record(z.string(), z.unknown(), { error: 'must be an object of request fields' }).optional(),
    items: z.array(z.unknown(), { error: 'must be an array of job requests' }),
    callbackUrl: z.string({ error: 'must be an https URL' }).max(2_048, 'must be at most 2048 characters').optional(),
    maxCredits: maxCreditsField.optional(),
  })
  .strict();

export const batchBudgetBody = z.object({ maxCredits: maxCreditsField.nullable() }).strict().meta({ id: 'BatchBudget' });

export const batchCreatedSchema = z
  .object({ id: z.string(), name: z.string().nullable(), total: z.number(), accepted: z.number(), rejected: z.number(), errors: z.array(rowIssue) })
  .meta({ id: 'BatchCreated' });

export const invalidRowsSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional(), rows: z.array(rowIssue).optional(), total: z.number().optional() }),
  })
  .meta({ id: 'InvalidRowsError' });

const counts = z.object(Object.fromEntries(JOB_STATUSES.map((s) => [s, z.number()])) as Record<(typeof JOB_STATUSES)[number], z.ZodNumber>);

export const batchSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    status: z.enum(['ingesting', 'active', 'finished', 'cancelled', 'failed']),
    total: z.number(),
    accepted: z.number(),
    rejected: z.number(),
    counts,
    credits: z.object({
      spent: z.number(),
      estimatedRemaining: z.number(),
      maxCredits: z.number().nullable().describe('The batch budget: no job is submitted where the batch would hold more (null: none)'),
      committed: z.number().describe('Credits held by jobs submitted and not failed or cancelled (reserved at their account tier)'),
    }),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    throughputPerMinute: z.number().nullable(),
    etaSeconds: z.number().nullable(),
    defaults: z.record(z.string(), z.unknown()).nullable(),
    errors: z.array(rowIssue).optional(),
    cancelled: z.number().optional(),
    requeued: z.number().optional(),
  })
  .meta({ id: 'Batch' });

export const batchListSchema = z.object({ items: z.array(batchSchema), nextCursor: z.string().nullable() }).meta({ id: 'BatchList' });

export const batchIdParams = z.object({ id: z.string().min(1).max(64) });

export const listBatchesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

export const listBatchJobsQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.coerce.number().int().min(0).max(2_147_483_647, 'must be a row number from 0 to 2147483647').optional(),
});

export const batchJobSchema = jobSchema.extend({ batchRow: z.number().nullable(), ref: z.string().nullable() }).meta({ id: 'BatchJob' });

export const batchJobListSchema = z.object({ items: z.array(batchJobSchema), nextCursor: z.string().nullable() }).meta({ id: 'BatchJobList' });

export const resultsQuery = z.object({ format: z.enum(['csv', 'json']).default('csv') });

export const retryQuery = z.object({ status: z.enum(['failed', 'cancelled']).default('failed') });

export { errorSchema };
