import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import multipart from '@fastify/multipart';
import { FlowqError, PayloadTooLargeError, ValidationError } from '@flowq/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { csvRows } from '../../batches/csv-rows';
import { delimiterFromParam } from '../../batches/detect-delimiter';
import { jsonBatchHead, parseItem, readJsonBatch, type JsonBatchLayout } from '../../batches/json-batch-body';
import { jsonRows } from '../../batches/json-rows';
import { cellValue } from '../../batches/row-fields';
import { parseDefaults } from '../../batches/row-validation';
import { checkCallbackUrl, type CallbackUrlCheck } from '../../callbacks/callback-url';
import { ownerScope } from '../../plugins/api-key-auth';
import { withoutNulBytes } from '../../plugins/input-guard';
import { canonicalJson, drainInto, hashing, idempotencyKeyOf, requestFingerprint } from '../../services/idempotency-fingerprint';
import type { IdempotencyService } from '../../services/idempotency-service';
import type { BatchService } from '../../services/batch-service';
import type { MediaLinks } from '../../media/media-links';
import { jobView } from '../jobs/job-view';
import { batchView } from './batch-view';
import {
  batchCreatedSchema,
  batchIdParams,
  batchJobListSchema,
  batchListSchema,
  batchSchema,
  createBatchJsonBody,
  createBatchQuery,
  errorSchema,
  invalidRowsSchema,
  listBatchesQuery,
  listBatchJobsQuery,
  resultsQuery,
  retryQuery,
} from './schemas';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/tab-separated-values', 'text/plain'];

function firstIssue(error: z.ZodError, prefix: string): ValidationError {
  const issue = error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : null;
  const field = prefix + (keys?.[0] ?? issue?.path.map(String).join('.') ?? '');
  const message = keys ? 'is not a known field' : (issue?.message ?? 'is invalid');
  return new ValidationError(`${field || 'body'}: ${message}`, field || 'body');
}

/** The multipart parser's own errors (no boundary, a body cut short) are the client's: 400, not 500. */
function multipartFailure(err: unknown): unknown {
  if (err instanceof FlowqError || typeof (err as { statusCode?: unknown }).statusCode === 'number') return err;
  return new ValidationError(`body: is not valid multipart/form-data (${(err as Error).message})`, 'body');
}

async function* guardMultipart(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* source;
  } catch (err) {
    throw multipartFailure(err);
  }
}

/** How long the request may sit paused, unread, while the multipart parser looks for the file. */
const MULTIPART_STALL_MS = 1_000;

/**
 * `pending`, or a 400 once the request body has sat paused for MULTIPART_STALL_MS: the
 * multipart parser (@fastify/busboy 3.2) stops reading for good at a part without
 * Content-Disposition larger than its buffer, which would otherwise hold the request open.
 */
function untilStalled<T>(req: FastifyRequest, pending: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_resolve, reject) => {
    let pausedSince: number | null = null;
    timer = setInterval(() => {
      if (!req.raw.isPaused() || req.raw.complete) pausedSince = null;
      else if (pausedSince === null) pausedSince = Date.now();
      else if (Date.now() - pausedSince >= MULTIPART_STALL_MS) {
        reject(new ValidationError('body: the multipart body could not be read (is every part named by a Content-Disposition header?)', 'body'));
      }
    }, 100);
  });
  return Promise.race([pending, stalled]).finally(() => clearInterval(timer));
}

/** Defaults of a CSV upload from the query: `defaults` as JSON, plus the common fields as shortcuts. */
function queryDefaults(q: z.output<typeof createBatchQuery>): Record<string, unknown> {
  let given: Record<string, unknown> = {};
  if (q.defaults !== undefined) {
    try {
      given = JSON.parse(q.defaults) as Record<string, unknown>;
    } catch {
      throw new ValidationError('defaults: must be a JSON object of request fields', 'defaults');
    }
  }
  for (const key of ['model', 'aspectRatio', 'duration', 'resolution', 'count', 'priority'] as const) {
    const value = cellValue(key, q[key]);
    if (value !== undefined) given = { ...given, [key]: value };
  }
  return given;
}

/**
 * The fingerprint of a JSON batch, item by item (never the whole body parsed at once): its
 * other fields as canonical JSON, then each item's canonical JSON.
 */
async function fingerprintJsonBatch(layout: JsonBatchLayout, hash: Hash): Promise<string> {
  hash.update(canonicalJson(jsonBatchHead(layout))).update('\n');
  const count = layout.items?.starts.length ?? 0;
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 500 === 0) await yieldToEventLoop();
    hash.update(canonicalJson(parseItem(layout, i))).update(',');
  }
  return hash.digest('hex');
}

export const batchRoutes: FastifyPluginAsyncZod<{
  batches: BatchService;
  idempotency: IdempotencyService;
  maxBytes: number;
  maxRows: number;
  callbackUrls: CallbackUrlCheck;
  links: MediaLinks;
}> = async (app, { batches, idempotency, maxBytes, maxRows, callbackUrls, links }) => {
  // Uploads are streamed, never buffered: these parsers hand the handler the raw body.
  await app.register(multipart, { limits: { files: 1, fields: 10, fileSize: maxBytes + 1 } });
  app.addContentTypeParser(CSV_TYPES, (_req, payload, done) => done(null, payload));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (_req, payload, done) => done(null, payload));

  function checkDeclaredLength(req: FastifyRequest): void {
    const declared = Number(req.headers['content-length']);
    // Multipart framing adds a little around the file.
    if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) {
      throw new PayloadTooLargeError(`body: ${declared} bytes is larger than the limit of ${maxBytes} bytes`, 'body');
    }
  }

  app.post(
    '/v1/batches',
    {
      schema: {
        summary: 'Create a batch from a CSV file (multipart `file` field or a text/csv body) or JSON { name, defaults, items }',
        description:
          'Each row or item is a job request of its `kind` (video, image, upscale, extend), checked as POST /v1/jobs checks it. ' +
          'CSV columns are the request fields, plus `sourceJob` + `sourceClip` or `sourceMediaId` (the `source` of an upscale or extend) ' +
          'and `then` on a video row (`upscale:1080p`, `upscale:4K`, `;`-separated, or a JSON array of follow-ups). See docs/batches.md.',
        tags: ['batches'],
        querystring: createBatchQuery,
        response: { 201: batchCreatedSchema, 400: errorSchema, 401: errorSchema, 409: errorSchema, 413: errorSchema, 422: invalidRowsSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      checkDeclaredLength(req);
      const q = req.query;
      const delimiter = q.delimiter === undefined ? undefined : delimiterFromParam(q.delimiter);
      if (q.delimiter !== undefined && !delimiter) throw new ValidationError('delimiter: must be one of ",", ";", "tab"', 'delimiter');
      const ownerKey = req.apiKeyId ?? null;
      const checkUrl = (url: string | undefined) => (url === undefined ? Promise.resolve(null) : checkCallbackUrl(url, { ownerKey, ...callbackUrls }));
      const common = { onInvalid: q.onInvalid, ownerKey, callbackUrl: await checkUrl(q.callbackUrl), maxCredits: q.maxCredits ?? null };
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const key = idempotencyKeyOf(req);

      type Input = { json: JsonBatchLayout } | { csv: AsyncIterable<Buffer>; name: string | null };
      let input: Input;
      if (contentType === 'application/json') input = { json: await readJsonBatch(req.body as Readable, { maxBytes, maxRows }) };
      else if (req.isMultipart()) {
        const file = await untilStalled(req, req.file()).catch((err: unknown) => Promise.reject(multipartFailure(err)));
        if (!file || file.fieldname !== 'file') throw new ValidationError('file: send the CSV file in a multipart field named "file"', 'file');
        input = { csv: guardMultipart(file.file), name: file.filename || null };
      } else if (req.body) input = { csv: req.body as Readable, name: null };
      else throw new ValidationError('body: is empty; send a CSV file or JSON { items: [...] }', 'body');

      /** `hash`: fingerprints the body as it is read, for Idempotency-Key. */
      async function create(hash?: Hash) {
        if ('json' in input) {
          const parsed = createBatchJsonBody.safeParse(jsonBatchHead(input.json));
          if (!parsed.success) throw firstIssue(parsed.error, '');
          const { name, defaults, callbackUrl, maxCredits } = parsed.data;
          return batches.create({
            ...common,
            ...(maxCredits !== undefined ? { maxCredits } : {}),
            ...(callbackUrl !== undefined ? { callbackUrl: await checkUrl(callbackUrl) } : {}),
            rows: jsonRows(input.json),
            name: name ?? q.name ?? null,
            defaults: parseDefaults({ ...queryDefaults(q), ...defaults }),
            field: 'items',
          });
        }
        hash?.update(canonicalJson(input.name));
        return batches.create({
          ...common,
          rows: csvRows(withoutNulBytes(hash ? hashing(input.csv, hash) : input.csv), { maxBytes, ...(delimiter ? { delimiter } : {}) }),
          name: q.name ?? input.name,
          defaults: parseDefaults(queryDefaults(q)),
          field: 'file',
        });
      }

      if (!key) {
        const outcome = await create();
        return reply.status(201).header('location', `/v1/batches/${outcome.id}`).send(outcome);
      }
      // The fingerprint: route, query and content type, then the body (JSON as parsed; CSV as the bytes read).
      const hash = requestFingerprint('POST /v1/batches', q, 'json' in input ? 'json' : 'csv');
      const known = 'json' in input ? await fingerprintJsonBatch(input.json, hash) : undefined;
      const answer = await idempotency.run({
        ownerKey: req.apiKeyId ?? '',
        key,
        ...(known ? { requestHash: known } : {}),
        execute: async () => {
          const body = await create(known ? undefined : hash);
          return { status: 201, body, ...(known ? {} : { requestHash: hash.digest('hex') }) };
        },
        fingerprint: async () => {
          if ('csv' in input) await drainInto(input.csv, hash.update(canonicalJson(input.name)), maxBytes);
          return hash.digest('hex');
        },
      });
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .status(answer.status as 201)
        .header('location', `/v1/batches/${answer.body.id}`)
        .send(answer.body);
    },
  );

  app.get(
    '/v1/batches',
    { schema: { summary: 'List batches, newest first', tags: ['batches'], querystring: listBatchesQuery, response: { 200: batchListSchema } } },
    async (req) => {
      const owner = ownerScope(req);
      const page = await batches.list({ ...req.query, ...(owner !== undefined ? { ownerKey: owner } : {}) });
      return { items: page.items.map((s) => batchView(s)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/batches/:id',
    {
      schema: {
        summary: 'A batch: counts by status, credits, throughput, time left, and the rows refused at upload',
        tags: ['batches'],
        params: batchIdParams,
        response: { 200: batchSchema, 404: errorSchema },
      },
    },
    async (req) => batchView(await batches.get(req.params.id, ownerScope(req)), { withErrors: true }),
  );

  app.get(
    '/v1/batches/:id/jobs',
    {
      schema: {
        summary: "A batch's jobs in input order",
        tags: ['batches'],
        params: batchIdParams,
        querystring: listBatchJobsQuery,
        response: { 200: batchJobListSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const page = await batches.jobs(req.params.id, req.query, ownerScope(req));
      return {
        items: page.items.map((j) => ({ ...jobView(j, links), batchRow: j.batchRow, ref: j.ref })),
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      };
    },
  );

  app.get(
    '/v1/batches/:id/results',
    {
      schema: {
        summary: 'One line per input row, in input order, streamed (CSV or JSON)',
        tags: ['batches'],
        params: batchIdParams,
        querystring: resultsQuery,
      },
    },
    async (req, reply) => {
      const stream = await batches.results(req.params.id, req.query.format, ownerScope(req));
      const csv = req.query.format === 'csv';
      return reply
        .header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.id}.${req.query.format}"`)
        .send(stream);
    },
  );

  app.post(
    '/v1/batches/:id/cancel',
    {
      schema: {
        summary: "Cancel a batch's queued jobs; jobs already submitted finish",
        tags: ['batches'],
        params: batchIdParams,
        response: { 200: batchSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const state = await batches.cancel(req.params.id, ownerScope(req));
      return { ...batchView(state), cancelled: state.cancelled };
    },
  );

  app.post(
    '/v1/batches/:id/retry',
    {
      schema: {
        summary: "Queue a batch's failed (or cancelled) jobs again as fresh jobs",
        tags: ['batches'],
        params: batchIdParams,
        querystring: retryQuery,
        response: { 200: batchSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const state = await batches.retry(req.params.id, req.query.status, ownerScope(req));
      return { ...batchView(state), requeued: state.requeued };
    },
  );
};
