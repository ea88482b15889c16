import { IMAGE_FIELDS } from '@flowq/core';
import type { ClipPlan } from './job-plan';
import type { ClipLinks, SimJob } from './job-store';
import { maskEmail, mediaGenerationId } from './ids';
import { veoVariantOf } from './validation';
import type { SimAnswer } from './upstream-errors';

/**
 * How useapi shows a video job: the record of `GET /jobs/{jobid}`, of the async 201 and of
 * every callback (`jobid`), and the sync 200 (`jobId` + `operations`). Pure renderers.
 */

export const MEDIA_STATUS = {
  pending: 'MEDIA_GENERATION_STATUS_PENDING',
  active: 'MEDIA_GENERATION_STATUS_ACTIVE',
  successful: 'MEDIA_GENERATION_STATUS_SUCCESSFUL',
  failed: 'MEDIA_GENERATION_STATUS_FAILED',
} as const;

const MEDIA_TYPE = 'type.googleapis.com/google.internal.labs.aisandbox.v1.Media';

export interface JobRecord {
  jobid: string;
  type: 'video';
  status: SimJob['status'];
  created: string;
  updated?: string;
  request: Record<string, unknown>;
  response?: Record<string, unknown>;
  error?: string;
  errorDetails?: string;
  code?: number;
}

/**
 * A clip's mediaGenerationId. An upscaled clip keeps its source's id plus `_upsampled` (useapi's
 * ugc scripts); a 4K one is assumed to add `_4k` so the two sizes of one source stay apart.
 */
export function clipMediaId(job: SimJob, clip: ClipPlan): string {
  if (job.action?.kind === 'upscale') return `${job.action.source}_upsampled${job.action.resolution === '4K' ? '_4k' : ''}`;
  return mediaGenerationId(job.email, 'video', clip.uuid);
}

/** The submitted fields as useapi echoes them: defaults filled in, email masked. */
export function requestEcho(job: SimJob): Record<string, unknown> {
  const r = job.request;
  const action = job.action;
  if (action?.kind === 'upscale') {
    return withReply({ async: r.async, mediaGenerationId: action.source, resolution: action.resolution, email: maskEmail(job.email) }, r);
  }
  if (action?.kind === 'extend') {
    const echo: Record<string, unknown> = {
      async: r.async,
      mediaGenerationId: action.source,
      prompt: r.prompt,
      email: maskEmail(job.email),
      model: r.model,
      count: r.count,
    };
    if (r.seed !== undefined) echo.seed = r.seed;
    return withReply(echo, r);
  }
  const echo: Record<string, unknown> = {
    async: r.async,
    prompt: r.prompt,
    email: maskEmail(job.email),
    model: r.model,
    aspectRatio: r.aspectRatio,
    count: r.count,
  };
  if (r.duration !== undefined) echo.duration = r.duration;
  if (r.resolution !== undefined) echo.resolution = r.resolution;
  if (r.seed !== undefined) echo.seed = r.seed;
  for (const field of IMAGE_FIELDS) if (r[field] !== undefined) echo[field] = r[field];
  return withReply(echo, r);
}

function withReply(echo: Record<string, unknown>, r: { replyUrl?: string | undefined; replyRef?: string | undefined }): Record<string, unknown> {
  if (r.replyUrl !== undefined) echo.replyUrl = r.replyUrl;
  if (r.replyRef !== undefined) echo.replyRef = r.replyRef;
  return echo;
}

const GOOGLE_ASPECT_RATIO: Record<string, string> = {
  landscape: 'VIDEO_ASPECT_RATIO_LANDSCAPE',
  portrait: 'VIDEO_ASPECT_RATIO_PORTRAIT',
  '1:1': 'VIDEO_ASPECT_RATIO_SQUARE',
  '4:3': 'VIDEO_ASPECT_RATIO_LANDSCAPE_FOUR_THREE',
  '3:4': 'VIDEO_ASPECT_RATIO_PORTRAIT_THREE_FOUR',
};
const aspectRatioOf = (job: SimJob) => GOOGLE_ASPECT_RATIO[job.request.aspectRatio] ?? 'VIDEO_ASPECT_RATIO_LANDSCAPE';

function pendingOperations(job: SimJob): unknown[] {
  const status = job.status === 'created' ? MEDIA_STATUS.pending : MEDIA_STATUS.active;
  return job.plan.clips.map((clip) => ({ operation: { name: clip.operationName }, sceneId: clip.sceneId, status }));
}

function completedOperation(job: SimJob, clip: ClipPlan, links: ClipLinks | undefined): unknown {
  if (clip.failed || !links) {
    return {
      operation: { name: clip.operationName, error: { code: 13, message: 'Video generation failed' } },
      sceneId: clip.sceneId,
      status: MEDIA_STATUS.failed,
    };
  }
  const id = clipMediaId(job, clip);
  return {
    operation: {
      name: clip.operationName,
      metadata: {
        '@type': MEDIA_TYPE,
        name: id,
        video: {
          seed: clip.seed,
          mediaGenerationId: id,
          prompt: job.request.prompt,
          fifeUrl: links.videoUrl,
          mediaVisibility: 'PRIVATE',
          servingBaseUri: links.thumbnailUrl,
          model: veoVariantOf(job.request),
          isLooped: false,
          aspectRatio: aspectRatioOf(job),
        },
      },
    },
    sceneId: clip.sceneId,
    mediaGenerationId: id,
    status: MEDIA_STATUS.successful,
  };
}

function completedMedia(job: SimJob, clip: ClipPlan, links: ClipLinks | undefined): unknown {
  const id = clipMediaId(job, clip);
  const failed = clip.failed || !links;
  return {
    mediaGenerationId: id,
    ...(failed ? {} : { videoUrl: links.videoUrl, thumbnailUrl: links.thumbnailUrl }),
    video: {
      generatedVideo: { seed: clip.seed, prompt: job.request.prompt, model: veoVariantOf(job.request), aspectRatio: aspectRatioOf(job) },
    },
    mediaMetadata: { mediaStatus: { mediaGenerationStatus: failed ? MEDIA_STATUS.failed : MEDIA_STATUS.successful } },
  };
}

/** The `response` of a completed job, in the job's shape (`operations`, `media` or both side by side). */
export function completedResponse(job: SimJob, links: ReadonlyArray<ClipLinks | undefined>): Record<string, unknown> {
  const clips = job.plan.clips;
  const shape = job.plan.shape;
  return {
    ...(shape !== 'media' ? { operations: clips.map((clip, i) => completedOperation(job, clip, links[i])) } : {}),
    ...(shape !== 'operations' ? { media: clips.map((clip, i) => completedMedia(job, clip, links[i])) } : {}),
    remainingCredits: job.remainingCredits,
  };
}

export const FAILED_JOB = {
  error: 'API error: 500',
  errorDetails: 'Upstream model returned an internal error',
  code: 500,
  response: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } },
} as const;

/** `links` matters only for completed jobs: one entry per clip, `undefined` for failed clips. */
export function jobRecord(job: SimJob, links: ReadonlyArray<ClipLinks | undefined> = []): JobRecord {
  const record: JobRecord = {
    jobid: job.jobid,
    type: 'video',
    status: job.status,
    created: new Date(job.created).toISOString(),
    ...(job.status === 'created' ? {} : { updated: new Date(job.updated).toISOString() }),
    request: requestEcho(job),
  };
  switch (job.status) {
    case 'created':
    case 'started':
      record.response = { operations: pendingOperations(job) };
      break;
    case 'completed':
      record.response = completedResponse(job, links);
      break;
    case 'failed':
      Object.assign(record, structuredClone(FAILED_JOB));
      break;
  }
  return record;
}

/** What a sync submit (`async` false) answers once the job is over. */
export function syncAnswer(job: SimJob, links: ReadonlyArray<ClipLinks | undefined>): SimAnswer {
  if (job.status === 'failed') {
    return { status: FAILED_JOB.code, body: { jobId: job.jobid, error: FAILED_JOB.error, errorDetails: FAILED_JOB.errorDetails, code: FAILED_JOB.code } };
  }
  return { status: 200, body: { jobId: job.jobid, ...completedResponse(job, links) } };
}
