import type { z } from 'zod';
import { imageCreditsFor } from './image-model-catalog';
import { imageRequestFields, imageRequestViolations, type ImageRequest } from './image-request';
import { ACCOUNT_TIERS, creditsFor, tiersFor, type AccountTier } from './model-catalog';
import type { JobKind } from './job-kind';
import { extendCreditsFor, upscaleCreditsFor, upscaleTiersFor } from './video-edit-catalog';
import { extendRequestFields, upscaleRequestFields, type ExtendRequest, type UpscaleRequest } from './video-edit-request';
import { videoModeViolations, videoRequestFields, type RuleViolation, type VideoRequest } from './video-request';
import { EXTEND_SECONDS } from './video-edit-catalog';

/**
 * One interface for every kind of job: the fields a client sends, the rules across them, what it
 * costs on an account of a tier and which tiers may run it. Intake, credits, the scheduler and
 * exports read kinds only through this table; adding a kind is one entry here.
 */
export interface JobKindSpec<R> {
  kind: JobKind;
  /** The client's fields for this kind, without flowq's own (priority, metadata, callbackUrl). */
  fields: z.ZodObject;
  violations(request: R): RuleViolation[];
  creditsOn(request: R, tier: AccountTier): number;
  /** Tiers whose accounts may run it at all. */
  tiers(request: R): readonly AccountTier[];
}

export interface JobRequests {
  video: VideoRequest;
  image: ImageRequest;
  upscale: UpscaleRequest;
  extend: ExtendRequest;
}

export const JOB_KIND_SPECS: { [K in JobKind]: JobKindSpec<JobRequests[K]> } = {
  video: {
    kind: 'video',
    fields: videoRequestFields,
    violations: videoModeViolations,
    creditsOn: (request, tier) => creditsFor(request, tier),
    tiers: (request) => tiersFor(request),
  },
  image: {
    kind: 'image',
    fields: imageRequestFields,
    violations: imageRequestViolations,
    creditsOn: (request) => imageCreditsFor(request),
    tiers: () => ACCOUNT_TIERS,
  },
  upscale: {
    kind: 'upscale',
    fields: upscaleRequestFields,
    violations: () => [],
    creditsOn: (request) => upscaleCreditsFor(request.resolution),
    tiers: (request) => upscaleTiersFor(request.resolution),
  },
  extend: {
    kind: 'extend',
    fields: extendRequestFields,
    violations: () => [],
    creditsOn: (request, tier) => extendCreditsFor(request, tier),
    tiers: (request) => tiersFor({ model: request.model, duration: EXTEND_SECONDS }),
  },
};

/** Credits a job of `kind` costs on an account of `tier`. */
export function creditsOfJob<K extends JobKind>(kind: K, request: JobRequests[K], tier: AccountTier): number {
  return (JOB_KIND_SPECS[kind] as JobKindSpec<JobRequests[K]>).creditsOn(request, tier);
}

/** The most a job may cost on any tier that can run it: what a budget reserves before the account is known. */
export function maxCreditsOfJob<K extends JobKind>(kind: K, request: JobRequests[K]): number {
  const spec = JOB_KIND_SPECS[kind] as JobKindSpec<JobRequests[K]>;
  return Math.max(0, ...spec.tiers(request).map((tier) => spec.creditsOn(request, tier)));
}
