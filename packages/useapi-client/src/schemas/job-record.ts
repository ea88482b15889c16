import { z } from 'zod';
import { completedVideoResponseSchema, mediaEntrySchema, operationEntrySchema } from './completed-video';

export const UPSTREAM_JOB_STATUSES = ['created', 'started', 'completed', 'failed'] as const;
export type UpstreamJobStatus = (typeof UPSTREAM_JOB_STATUSES)[number];

/** A useapi job as flowq reads it: the 201 of an async submit, `GET /jobs/{jobid}`, a webhook body. */
export interface UpstreamJobRecord {
  jobid: string;
  type: string;
  status: UpstreamJobStatus;
  created?: string;
  updated?: string;
  /** useapi's echo of the submitted fields (email masked). */
  request: Record<string, unknown>;
  /** Operations while pending; the videos when completed (checked below); Google's error when failed. */
  response?: unknown;
  /** A string such as "API error: 500", or Google's error object. */
  error?: unknown;
  errorDetails?: string;
  code?: number;
}

const absent = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const asyncRecordSchema = z
  .looseObject({
    // The 201 and the record spell it `jobid`, the sync 200 `jobId`.
    jobid: z.string().min(1).optional(),
    jobId: z.string().min(1).optional(),
    type: z.string(),
    status: z.enum(UPSTREAM_JOB_STATUSES),
    created: absent(z.string()),
    updated: absent(z.string()),
    request: absent(z.record(z.string(), z.unknown())),
    response: z.unknown().optional(),
    error: z.unknown().optional(),
    errorDetails: absent(z.string()),
    code: absent(z.number()),
  })
  .superRefine((rec, ctx) => {
    if (rec.jobid === undefined && rec.jobId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['jobid'], message: 'jobid is missing' });
    }
    if (rec.status === 'completed' && rec.type === 'video') {
      const parsed = completedVideoResponseSchema.safeParse(rec.response);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', path: ['response'], message: 'completed video job has neither response.operations[] nor response.media[]' });
      }
    }
  })
  .transform((rec): UpstreamJobRecord => {
    const out: UpstreamJobRecord = {
      jobid: (rec.jobid ?? rec.jobId)!,
      type: rec.type,
      status: rec.status,
      request: rec.request ?? {},
    };
    if (rec.created !== undefined) out.created = rec.created;
    if (rec.updated !== undefined) out.updated = rec.updated;
    if (rec.response !== undefined && rec.response !== null) out.response = rec.response;
    if (rec.error !== undefined && rec.error !== null) out.error = rec.error;
    if (rec.errorDetails !== undefined) out.errorDetails = rec.errorDetails;
    if (rec.code !== undefined) out.code = rec.code;
    return out;
  });

/**
 * The sync 200 of `POST /videos`: already completed, no record around it, with `operations[]`
 * (2025), `media[]` (2026) or both. Read into the same record.
 */
const syncCompletedSchema = z
  .looseObject({
    jobId: z.string().min(1),
    operations: z.array(operationEntrySchema).optional(),
    media: z.array(mediaEntrySchema).optional(),
    remainingCredits: z.number().nullable().optional(),
  })
  .refine((body) => body.operations !== undefined || body.media !== undefined, { message: 'neither operations[] nor media[]' })
  .transform(
    (body): UpstreamJobRecord => ({
      jobid: body.jobId,
      type: 'video',
      status: 'completed',
      request: {},
      response: {
        ...(body.operations ? { operations: body.operations } : {}),
        ...(body.media ? { media: body.media } : {}),
        remainingCredits: body.remainingCredits,
      },
    }),
  );

export const jobRecordSchema: z.ZodType<UpstreamJobRecord, unknown> = z.union([asyncRecordSchema, syncCompletedSchema]);

/**
 * `GET /jobs?options=executing|history`. useapi documents what the options list (2026: running
 * jobs; history adds the 10 latest finished in the last 15 minutes) but not the body: read as
 * `{ jobs: [...] }` beside anything else (per-account stats), a bare array is tolerated. Entries
 * may be summaries, so only the id is required.
 */
export interface ListedJob {
  jobid: string;
  status?: string;
  type?: string;
  created?: string;
  email?: string;
  raw: Record<string, unknown>;
}

const listedJobSchema = z
  .looseObject({
    jobid: z.string().min(1).optional(),
    jobId: z.string().min(1).optional(),
    status: absent(z.string()),
    type: absent(z.string()),
    created: absent(z.string()),
    request: absent(z.looseObject({ email: absent(z.string()) })),
  })
  .refine((j) => j.jobid !== undefined || j.jobId !== undefined, { message: 'jobid is missing' })
  .transform((j): ListedJob => {
    const out: ListedJob = { jobid: (j.jobid ?? j.jobId)!, raw: j };
    if (j.status !== undefined) out.status = j.status;
    if (j.type !== undefined) out.type = j.type;
    if (j.created !== undefined) out.created = j.created;
    if (j.request?.email !== undefined) out.email = j.request.email;
    return out;
  });

export const jobListSchema: z.ZodType<ListedJob[], unknown> = z.union([
  z.array(listedJobSchema),
  z.looseObject({ jobs: z.array(listedJobSchema) }).transform((b) => b.jobs),
]);
