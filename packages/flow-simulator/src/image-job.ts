import { IMAGE_REFERENCE_FIELDS } from '@flowq/core';
import { maskEmail, mediaGenerationId, userIdOf } from './ids';
import type { ImageSubmit } from './image-validation';
import { FAILED_JOB } from './job-record';
import type { SimAnswer } from './upstream-errors';

/**
 * An image job (`POST /images`). The call is synchronous, but useapi keeps a job record for it
 * as for videos (jobid `j<ms>i-...`): `GET /jobs/{jobid}` and the history listing show it, with
 * its replyRef, so a client whose call died mid-way can find what it paid for. That the record
 * exists is inferred from the jobid format (`i` for image); its exact body is not documented.
 */

export interface ImagePlan {
  seed: number;
  /** The uuid of the image's mediaGenerationId and of its media file. */
  uuid: string;
}

export interface SimImageJob {
  jobid: string;
  seq: number;
  email: string;
  status: 'started' | 'completed' | 'failed';
  created: number;
  updated: number;
  request: ImageSubmit;
  images: ImagePlan[];
  generationMs: number;
  failed: boolean;
  /** Image URLs signed at completion. */
  links?: string[];
  expired: boolean;
}

export function imageJobId(createdMs: number, email: string): string {
  return `j${createdMs}i-u${userIdOf(email)}-email:${email}-bot:google-flow`;
}

export function imageMediaId(job: SimImageJob, image: ImagePlan): string {
  return mediaGenerationId(job.email, 'image', image.uuid);
}

function requestEcho(job: SimImageJob): Record<string, unknown> {
  const r = job.request;
  const echo: Record<string, unknown> = { prompt: r.prompt, email: maskEmail(job.email), model: r.model, aspectRatio: r.aspectRatio, count: r.count };
  if (r.seed !== undefined) echo.seed = r.seed;
  for (const field of IMAGE_REFERENCE_FIELDS) if (r[field] !== undefined) echo[field] = r[field];
  if (r.replyUrl !== undefined) echo.replyUrl = r.replyUrl;
  if (r.replyRef !== undefined) echo.replyRef = r.replyRef;
  return echo;
}

/** `media[].image.generatedImage{fifeUrl, mediaGenerationId}` (notes §4), with the seed and prompt. */
export function imageMedia(job: SimImageJob, links: readonly string[]): unknown[] {
  return job.images.map((image, i) => {
    const id = imageMediaId(job, image);
    return {
      name: id,
      image: {
        generatedImage: {
          mediaGenerationId: id,
          fifeUrl: links[i],
          seed: image.seed,
          prompt: job.request.prompt,
          modelNameType: job.request.model,
          aspectRatio: job.request.aspectRatio,
        },
      },
    };
  });
}

export function imageJobRecord(job: SimImageJob, links: readonly string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {
    jobid: job.jobid,
    type: 'image',
    status: job.status,
    created: new Date(job.created).toISOString(),
    ...(job.status === 'started' ? {} : { updated: new Date(job.updated).toISOString() }),
    request: requestEcho(job),
  };
  if (job.status === 'completed') record.response = { media: imageMedia(job, links) };
  if (job.status === 'failed') Object.assign(record, structuredClone(FAILED_JOB));
  return record;
}

/** What `POST /images` answers once the images are made (or failed). */
export function imageAnswer(job: SimImageJob, links: readonly string[]): SimAnswer {
  if (job.status === 'failed') {
    return { status: FAILED_JOB.code, body: { jobId: job.jobid, error: FAILED_JOB.error, errorDetails: FAILED_JOB.errorDetails, code: FAILED_JOB.code } };
  }
  return { status: 200, body: { jobId: job.jobid, media: imageMedia(job, links) } };
}
