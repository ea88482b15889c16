import type { UpscaleResolution } from '@flowq/core';
import type { JobPlan } from './job-plan';
import type { VideoSubmit } from './validation';

export type SimJobStatus = 'created' | 'started' | 'completed' | 'failed';

export interface ClipLinks {
  videoUrl: string;
  thumbnailUrl: string;
}

/**
 * What a video job does besides generating from a prompt: upscale or extend the finished video
 * `source` (a mediaGenerationId of the same account).
 */
export type VideoAction = { kind: 'upscale'; source: string; resolution: UpscaleResolution } | { kind: 'extend'; source: string };

/** A video job as the simulator keeps it; `job-record.ts` renders it the way useapi shows it. */
export interface SimJob {
  jobid: string;
  /** Order of acceptance in this run; names the job's random stream. */
  seq: number;
  email: string;
  status: SimJobStatus;
  created: number;
  updated: number;
  /** For upscale and extend: the fields the generation uses (prompt, model, count, aspect ratio of the source). */
  request: VideoSubmit;
  action?: VideoAction;
  plan: JobPlan;
  /** Account credits right after this job's clips were paid. */
  remainingCredits: number;
  /** Links signed at completion (urlSigning `completion`). */
  links?: (ClipLinks | undefined)[];
  expired: boolean;
}

/** What the store needs of a job: video and image jobs are kept alike. */
export interface StoredJob {
  jobid: string;
  email: string;
  status: string;
  expired: boolean;
}

export class JobStore<J extends StoredJob = SimJob> {
  private readonly jobs = new Map<string, J>();

  add(job: J): void {
    this.jobs.set(job.jobid, job);
  }

  get(jobid: string): J | undefined {
    return this.jobs.get(jobid);
  }

  has(jobid: string): boolean {
    return this.jobs.has(jobid);
  }

  /** Newest first. */
  list(filter: { email?: string; executing?: boolean; limit?: number } = {}): J[] {
    const out: J[] = [];
    for (const job of [...this.jobs.values()].reverse()) {
      if (filter.email !== undefined && job.email !== filter.email) continue;
      if (filter.executing && job.status !== 'created' && job.status !== 'started') continue;
      out.push(job);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  expire(jobid: string): boolean {
    const job = this.jobs.get(jobid);
    if (job) job.expired = true;
    return job !== undefined;
  }

  expireAll(): number {
    for (const job of this.jobs.values()) job.expired = true;
    return this.jobs.size;
  }

  clear(): void {
    this.jobs.clear();
  }
}
