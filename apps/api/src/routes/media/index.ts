import { ForbiddenError, imageExtension, MediaExpiredError, mediaUrlPath, NotFoundError, parseMediaFileName, RangeNotSatisfiableError } from '@flowq/core';
import { findMediaFile, type Db } from '@flowq/db';
import type { MediaStore } from '@flowq/media-store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveRange } from '../../media/byte-range';
import { verifyMediaLink } from '../../media/signed-media-link';
import { ownerScope } from '../../plugins/api-key-auth';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface MediaRouteOptions {
  db: Db;
  store: MediaStore;
  /** Runs the API key check (the same one as every /v1 route). */
  authenticate: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  signingSecret: string | undefined;
  /** With the S3 driver: answer with a redirect to a presigned URL of this lifetime instead of streaming. */
  redirectSeconds: number | undefined;
}

const params = z.object({ jobId: z.string().min(1).max(64), file: z.string().max(16) });
const query = z.object({ expires: z.string().max(16).optional(), sig: z.string().max(128).optional() });

/** A file never changes once stored (its ETag is its SHA-256), so caches may keep it for good. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

export const mediaRoutes: FastifyPluginAsyncZod<MediaRouteOptions> = async (app, options) => {
  app.get(
    '/v1/media/:jobId/:file',
    {
      schema: {
        summary: 'Download an archived video (`<clip>.mp4`), thumbnail (`<clip>.jpg`) or image (`image-<n>.jpg|png|webp`), with byte ranges',
        description: 'Authorization: Bearer <key>, or a signed link (`?expires=&sig=`, as given in `downloadUrl`).',
        tags: ['media'],
        params,
        querystring: query,
      },
    },
    async (req, reply) => {
      const { jobId, file } = req.params;
      const name = parseMediaFileName(file);
      if (!name) throw new NotFoundError(`No media file ${file}`);
      // An image's name carries the extension of the type it was stored as; it is checked against the row below.
      const path = name.kind === 'image' ? `/v1/media/${jobId}/${file}` : mediaUrlPath(jobId, name.clip, name.kind);

      let owner: string | undefined;
      if (req.query.sig !== undefined || req.query.expires !== undefined) {
        const verdict = options.signingSecret ? verifyMediaLink(options.signingSecret, path, req.query, Math.floor(Date.now() / 1000)) : 'bad_signature';
        if (verdict === 'expired') throw new ForbiddenError('This signed link has expired; read the job again for a fresh one');
        if (verdict !== 'valid') throw new ForbiddenError('This signed link is not valid');
      } else {
        await options.authenticate(req, reply);
        owner = ownerScope(req);
      }

      const row = await findMediaFile(options.db, jobId, name.clip, name.kind);
      if (!row || (owner !== undefined && row.ownerKey !== owner)) throw new NotFoundError(`No media file ${file} for job ${jobId}`);
      if (name.kind === 'image' && row.status === 'archived' && imageExtension(row.contentType) !== name.extension)
        throw new NotFoundError(`No media file ${file} for job ${jobId}`);
      if (row.status === 'expired') throw new MediaExpiredError(`${file} of job ${jobId} was deleted after the retention period`);
      if (row.status !== 'archived' || row.bytes === null || !row.sha256) throw new NotFoundError(`${file} of job ${jobId} is not archived`);

      const etag = `"${row.sha256}"`;
      reply.header('etag', etag).header('cache-control', IMMUTABLE).header('accept-ranges', 'bytes');
      if (matchesEtag(req.headers['if-none-match'], etag)) return reply.code(304).send();

      const ifRange = req.headers['if-range'];
      const range = ifRange !== undefined && ifRange !== etag ? ({ kind: 'full' } as const) : resolveRange(req.headers.range, row.bytes);
      if (range.kind === 'unsatisfiable') {
        reply.header('content-range', `bytes */${row.bytes}`);
        throw new RangeNotSatisfiableError(`The range is outside the file's ${row.bytes} bytes`);
      }

      if (options.redirectSeconds !== undefined) {
        const url = await options.store.presignedUrl(row.storageKey, options.redirectSeconds, `${jobId}-${file}`);
        if (url) return reply.header('cache-control', 'no-store').redirect(url, 302);
      }

      const read = await options.store.get(row.storageKey, range.kind === 'partial' ? { start: range.start, end: range.end } : undefined);
      if (!read) {
        req.log.error({ jobId, file, key: row.storageKey }, 'archived media file missing from the store');
        throw new NotFoundError(`${file} of job ${jobId} is missing from the media store`);
      }
      reply
        .header('content-type', row.contentType ?? 'application/octet-stream')
        .header('content-disposition', `inline; filename="${jobId}-${file}"`)
        .header('last-modified', (row.archivedAt ?? row.createdAt).toUTCString());
      if (range.kind === 'partial') {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${row.bytes}`)
          .header('content-length', range.end - range.start + 1);
      } else {
        reply.code(200).header('content-length', row.bytes);
      }
      return reply.send(read.body);
    },
  );
};

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
