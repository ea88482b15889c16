import { z } from 'zod';
import type { JobResult } from './job-status';
import { specOf, type VideoModel } from './model-catalog';
import type { ExtendRequest, ResolvedVideoSource, UpscaleRequest } from './video-edit-request';
import { extendRequestFields, upscaleRequestFields } from './video-edit-request';
import type { RuleViolation } from './video-request';

/**
 * Chains: a video request may carry `then: [...]`, follow-ups (upscale, extend) made for each
 * clip once the generation succeeds, on the account that made it. Each entry is the follow-up's
 * request without its `source`, which is the clip.
 */
export const MAX_FOLLOW_UPS = 4;

export const followUpField = z.discriminatedUnion(
  'kind',
  [
    upscaleRequestFields
      .omit({ source: true })
      .extend({ kind: z.literal('upscale') })
      .strict(),
    extendRequestFields
      .omit({ source: true })
      .extend({ kind: z.literal('extend') })
      .strict(),
  ],
  { error: 'must be an upscale or an extend' },
);
export const thenField = z.array(followUpField).max(MAX_FOLLOW_UPS, `must hold at most ${MAX_FOLLOW_UPS} follow-ups`);

export type FollowUpSpec = z.output<typeof followUpField>;

/** Follow-ups that could never run after a generation of `model`: an omni clip cannot be extended. */
export function followUpViolations(req: { model: VideoModel; then?: readonly FollowUpSpec[] | undefined }): RuleViolation[] {
  return (req.then ?? []).flatMap((f, i) =>
    f.kind === 'extend' && specOf(req.model).family !== 'veo' ? [{ field: `then.${i}.kind`, message: `${req.model} clips cannot be extended (Veo only)` }] : [],
  );
}

export type FollowUpJob =
  | { kind: 'upscale'; request: UpscaleRequest & { source: ResolvedVideoSource } }
  | { kind: 'extend'; request: ExtendRequest & { source: ResolvedVideoSource } };

/** The jobs a succeeded job's chain creates: each follow-up for each clip that succeeded, in clip then chain order. */
export function followUpsOf(parent: { id: string; request: { then?: readonly FollowUpSpec[] | undefined }; result: JobResult | null }): FollowUpJob[] {
  const chain = parent.request.then ?? [];
  if (chain.length === 0 || !parent.result) return [];
  const out: FollowUpJob[] = [];
  parent.result.videos.forEach((clip, index) => {
    if (clip.status !== 'succeeded' || !clip.mediaGenerationId) return;
    const source: ResolvedVideoSource = { jobId: parent.id, clip: index, mediaGenerationId: clip.mediaGenerationId };
    for (const { kind, ...rest } of chain) {
      if (kind === 'upscale') out.push({ kind, request: { ...(rest as Omit<UpscaleRequest, 'source'>), source } });
      else out.push({ kind, request: { ...(rest as Omit<ExtendRequest, 'source'>), source } });
    }
  });
  return out;
}
