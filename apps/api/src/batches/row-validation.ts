import {
  extendRequestFields,
  followUpViolations,
  imageRequestFields,
  imageRequestViolations,
  thenField,
  upscaleRequestFields,
  ValidationError,
  videoModeViolations,
  videoRequestFields,
  type ExtendRequest,
  type ImageRequest,
  type JobKind,
  type UpscaleRequest,
  type VideoRequest,
} from '@flowq/core';
import { z } from 'zod';
import { BATCH_JOB_KINDS as ACCEPTED_JOB_KINDS, createVideoJobBody as createJobBody } from '../routes/jobs/schemas';
import type { RawBatchRow } from './row-fields';

const kindField = z.enum(ACCEPTED_JOB_KINDS, { error: `must be one of ${ACCEPTED_JOB_KINDS.join(', ')}` });
const priority = createJobBody.shape.priority;
const fieldPath = (field: string) => field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/** What a row may say: exactly the fields and rules of `POST /v1/jobs`, by its `kind` column (default `video`). */
const batchRowSchema = z.discriminatedUnion(
  'kind',
  [
    videoRequestFields
      // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
      .extend({ kind: z.literal('video').optional(), then: thenField.optional(), priority })
      .strict()
      .superRefine((req, ctx) => {
        for (const v of [...videoModeViolations(req), ...followUpViolations(req)])
          ctx.addIssue({ code: 'custom', path: fieldPath(v.field), message: v.message });
      }),
    imageRequestFields
      .extend({ kind: z.literal('image'), priority })
      .strict()
      .superRefine((req, ctx) => {
        for (const v of imageRequestViolations(req)) ctx.addIssue({ code: 'custom', path: [v.field], message: v.message });
      }),
    upscaleRequestFields.extend({ kind: z.literal('upscale'), priority }).strict(),
    extendRequestFields.extend({ kind: z.literal('extend'), priority }).strict(),
  ],
  { error: `must be one of ${ACCEPTED_JOB_KINDS.join(', ')}` },
);

/**
 * `defaults`: any request field a row may leave out, checked on its own so a typo is a 400
 * naming it: against the fields of the kind the defaults name (video when they name none).
 */
const DEFAULTS_SCHEMAS = {
  // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
  video: videoRequestFields.partial().extend({ kind: kindField.optional(), then: thenField.optional(), priority }).strict(),
  image: imageRequestFields.partial().extend({ kind: kindField, priority }).strict(),
  upscale: upscaleRequestFields.partial().extend({ kind: kindField, priority }).strict(),
  extend: extendRequestFields.partial().extend({ kind: kindField, priority }).strict(),
};
const defaultsSchemaFor = (input: unknown) => {
  const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' && Object.hasOwn(DEFAULTS_SCHEMAS, kind) ? DEFAULTS_SCHEMAS[kind as JobKind] : DEFAULTS_SCHEMAS.video;
};

const refSchema = z
  .union([z.string(), z.number()], { error: 'must be text' })
  .transform(String)
  .pipe(z.string().max(256, 'must be at most 256 characters'))
  .optional();
const metadataSchema = createJobBody.shape.metadata;

export type { RowIssue } from '@flowq/core';
import type { RowIssue } from '@flowq/core';

export type ValidatedRow =
  | {
      ok: true;
      row: number;
      kind: JobKind;
      /** An upscale's or extend's source is not resolved yet (`resolveEditRequest` does it with the database). */
      request: VideoRequest | ImageRequest | UpscaleRequest | ExtendRequest;
      priority: number | undefined;
      ref: string | null;
      metadata: Record<string, unknown> | null;
    }
  | { ok: false; row: number; issues: RowIssue[] };

function issuesOf(row: number, error: z.ZodError, prefix = '', columnOf: (field: string) => string = (f) => f): RowIssue[] {
  return error.issues.flatMap((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys : null;
    const path = i.path.map(String);
    if (keys) return keys.map((k) => ({ row, column: prefix + columnOf([...path, k].join('.')), message: 'is not a known field' }));
    return [{ row, column: prefix + columnOf(path.join('.')), message: i.message }];
  });
}

/** Defaults under the row's own values (a row's value wins), validated like a job request. */
export function validateRow(raw: RawBatchRow, defaults: Record<string, unknown>): ValidatedRow {
  const issues: RowIssue[] = (raw.issues ?? []).map((i) => ({ row: raw.row, ...i }));
  if (raw.fields === null) return { ok: false, row: raw.row, issues };
  const parsed = batchRowSchema.safeParse({ ...defaults, ...raw.fields });
  if (!parsed.success) issues.push(...issuesOf(raw.row, parsed.error, '', raw.columnOf));
  const ref = refSchema.safeParse(raw.ref ?? undefined);
  if (!ref.success) issues.push(...ref.error.issues.map((i) => ({ row: raw.row, column: 'ref', message: i.message })));
  const metadata = metadataSchema.safeParse(raw.metadata ?? undefined);
  if (!metadata.success) issues.push(...metadata.error.issues.map((i) => ({ row: raw.row, column: 'metadata', message: i.message })));
  if (issues.length > 0 || !parsed.success) return { ok: false, row: raw.row, issues };
  const { priority, kind = 'video', ...request } = parsed.data;
  return {
    ok: true,
    row: raw.row,
    kind,
    request: request as VideoRequest | ImageRequest | UpscaleRequest | ExtendRequest,
    priority,
    ref: ref.data ?? null,
    metadata: (metadata.data as Record<string, unknown> | undefined) ?? null,
  };
}

/** Checks `defaults` up front: a bad default would fail every row, so it is a 400 of its own. */
export function parseDefaults(input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  const parsed = defaultsSchemaFor(input).safeParse(input);
  if (!parsed.success) {
    const [first] = issuesOf(0, parsed.error, 'defaults.');
    throw new ValidationError(`${first?.column ?? 'defaults'}: ${first?.message ?? 'is invalid'}`, first?.column ?? 'defaults');
  }
  // The given values, not the parsed ones: schema defaults (model, count) must not override a row.
  return input as Record<string, unknown>;
}
