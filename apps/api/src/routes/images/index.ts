import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { MAX_IMAGE_BYTES, PayloadTooLargeError, ValidationError, type ImageType } from '@flowq/core';
import type { ImageRow } from '@flowq/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readImageBody } from '../../images/image-bytes';
import type { ImageService } from '../../images/image-service';
import { errorSchema } from '../jobs/schemas';

/** Raw bodies taken as an image; the bytes decide what it is, whatever the header says. */
const RAW_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'];

export const uploadedImageSchema = z
  .object({
    id: z.string().describe('Use it as startImage, endImage, referenceImage_N or reference_N'),
    sha256: z.string(),
    bytes: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
    contentType: z.enum(['image/png', 'image/jpeg', 'image/webp']),
    createdAt: z.string(),
  })
  .meta({ id: 'UploadedImage' });

const imageIdParams = z.object({ id: z.string().min(1).max(64) });

function imageView(row: ImageRow) {
  return {
    id: row.id,
    sha256: row.sha256,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    contentType: row.contentType as ImageType,
    createdAt: row.createdAt.toISOString(),
  };
}

export const imageRoutes: FastifyPluginAsyncZod<{ images: ImageService }> = async (app, { images }) => {
  await app.register(multipart, { limits: { files: 1, fields: 0, fileSize: MAX_IMAGE_BYTES + 1 } });
  app.addContentTypeParser(RAW_TYPES, (_req, payload, done) => done(null, payload));

  app.post(
    '/v1/images',
    {
      schema: {
        summary: 'Upload one image (multipart `file`, or a raw image/png, image/jpeg or image/webp body; at most 20 MB)',
        description:
          'The type is judged by the bytes, not the header. The same bytes uploaded again by the same key answer the same image. ' +
          'Use the id in a job: it is uploaded to whichever account takes the job, once per account.',
        tags: ['images'],
        response: { 201: uploadedImageSchema, 400: errorSchema, 401: errorSchema, 413: errorSchema, 415: errorSchema },
      },
    },
    async (req, reply) => {
      const declared = Number(req.headers['content-length']);
      // Multipart framing adds a little around the file.
      if (Number.isFinite(declared) && declared > MAX_IMAGE_BYTES + 64 * 1024) {
        throw new PayloadTooLargeError(`file: is larger than 20 MB (${MAX_IMAGE_BYTES} bytes)`, 'file');
      }
      let bytes: Buffer;
      if (req.isMultipart()) {
        const file = await req.file().catch((err: unknown) => {
          throw new ValidationError(`body: is not valid multipart/form-data (${(err as Error).message})`, 'body');
        });
        if (file?.fieldname !== 'file') throw new ValidationError('file: send the image in a multipart field named "file"', 'file');
        bytes = await readImageBody(file.file, 'file');
        if (file.file.truncated) throw new PayloadTooLargeError(`file: is larger than 20 MB (${MAX_IMAGE_BYTES} bytes)`, 'file');
      } else if (req.body) bytes = await readImageBody(req.body as Readable, 'file');
      else throw new ValidationError('file: send an image as a multipart field "file" or as the body', 'file');
      const owner = req.apiKeyId!;
      const row = await images.keep(owner, bytes, 'file');
      return reply.status(201).header('location', `/v1/images/${row.id}`).send(imageView(row));
    },
  );

  app.get(
    '/v1/images/:id',
    {
      schema: {
        summary: "An uploaded image's facts (another key's image is not found)",
        tags: ['images'],
        params: imageIdParams,
        response: { 200: uploadedImageSchema, 404: errorSchema },
      },
    },
    async (req) => imageView(await images.get(req.params.id, req.apiKeyId!)),
  );
};
