import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { PayloadTooLargeError, ValidationError } from '@flowq/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { csvRows } from '../../batches/csv-rows';
import { delimiterFromParam } from '../../batches/detect-delimiter';
import { jsonRows } from '../../batches/json-rows';
import { readJsonBody } from '../../batches/read-json-body';
import { cellValue } from '../../batches/row-fields';
import { parseDefaults } from '../../batches/row-validation';
import type { BatchService } from '../../services/batch-service';
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
  for (const key of ['model', 'aspectRatio', 'count', 'priority'] as const) {
    const value = cellValue(key, q[key]);
    if (value !== undefined) given = { ...given, [key]: value };
  }
  return given;
}

export const batchRoutes: FastifyPluginAsyncZod<{ batches: BatchService; maxBytes: number }> = async (app, { batches, maxBytes }) => {
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
        tags: ['batches'],
        querystring: createBatchQuery,
        response: { 201: batchCreatedSchema, 400: errorSchema, 401: errorSchema, 413: errorSchema, 422: invalidRowsSchema },
      },
    },
    async (req, reply) => {
      checkDeclaredLength(req);
      const q = req.query;
      const delimiter = q.delimiter === undefined ? undefined : delimiterFromParam(q.delimiter);
      if (q.delimiter !== undefined && !delimiter) throw new ValidationError('delimiter: must be one of ",", ";", "tab"', 'delimiter');
      const common = { onInvalid: q.onInvalid, ownerKey: req.apiKeyId ?? null };
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

      let outcome;
      if (contentType === 'application/json') {
        const parsed = createBatchJsonBody.safeParse(await readJsonBody(req.body as Readable, maxBytes));
        if (!parsed.success) throw firstIssue(parsed.error, '');
        const { name, defaults, items } = parsed.data;
        outcome = await batches.create({
          ...common,
          rows: jsonRows(items),
          name: name ?? q.name ?? null,
          defaults: parseDefaults({ ...queryDefaults(q), ...defaults }),
          field: 'items',
        });
      } else {
        let source: AsyncIterable<Buffer>;
        let name = q.name ?? null;
        if (req.isMultipart()) {
          const file = await req.file();
          if (!file || file.fieldname !== 'file') throw new ValidationError('file: send the CSV file in a multipart field named "file"', 'file');
          source = file.file;
          name ??= file.filename || null;
        } else {
          source = req.body as Readable;
        }
        outcome = await batches.create({
          ...common,
          rows: csvRows(source, { maxBytes, ...(delimiter ? { delimiter } : {}) }),
          name,
          defaults: parseDefaults(queryDefaults(q)),
          field: 'file',
        });
      }
      return reply.status(201).header('location', `/v1/batches/${outcome.id}`).send(outcome);
    },
  );

  app.get(
    '/v1/batches',
    { schema: { summary: 'List batches, newest first', tags: ['batches'], querystring: listBatchesQuery, response: { 200: batchListSchema } } },
    async (req) => {
      const page = await batches.list(req.query);
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
    async (req) => batchView(await batches.get(req.params.id), { withErrors: true }),
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
      const page = await batches.jobs(req.params.id, req.query);
      return { items: page.items.map((j) => ({ ...jobView(j), batchRow: j.batchRow, ref: j.ref })), nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
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
      const stream = await batches.results(req.params.id, req.query.format);
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
      const state = await batches.cancel(req.params.id);
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
      const state = await batches.retry(req.params.id, req.query.status);
      return { ...batchView(state), requeued: state.requeued };
    },
  );
};
