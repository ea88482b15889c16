import type { PromptMarkers, ResponseShape } from './options';
import type { Rng } from './rng';
import type { VideoSubmit } from './validation';

export interface ClipPlan {
  seed: number;
  /** The uuid of the clip's mediaGenerationId and of its media files. */
  uuid: string;
  operationName: string;
  sceneId: string;
  failed: boolean;
}

/** Everything random about one job, drawn up front from the job's own stream. */
export interface JobPlan {
  startDelayMs: number;
  generationMs: number;
  outcome: 'completed' | 'failed';
  clips: ClipPlan[];
  shape: 'operations' | 'media' | 'both';
}

export interface PlanSettings {
  startDelayMs: number;
  generationMs: { min: number; max: number };
  markers: PromptMarkers;
  responseShape: ResponseShape;
}

export function planJob(request: VideoSubmit, rng: Rng, settings: PlanSettings): JobPlan {
  const generationMs = rng.int(settings.generationMs.min, settings.generationMs.max);
  const failedClip = request.prompt.includes(settings.markers.failClip) ? rng.int(0, request.count - 1) : -1;
  const clips: ClipPlan[] = [];
  for (let i = 0; i < request.count; i++) {
    clips.push({
      // A requested seed makes clip i use seed + i, so variations differ but repeat.
      seed: request.seed === undefined ? rng.int(0, 2 ** 31 - 1) : request.seed + i,
      uuid: rng.uuid(),
      operationName: rng.hex(16),
      sceneId: rng.uuid(),
      failed: i === failedClip,
    });
  }
  const shape = settings.responseShape === 'mixed' ? (rng.next() < 0.5 ? 'operations' : 'media') : settings.responseShape;
  return {
    startDelayMs: settings.startDelayMs,
    generationMs,
    outcome: request.prompt.includes(settings.markers.fail) ? 'failed' : 'completed',
    clips,
    shape,
  };
}
