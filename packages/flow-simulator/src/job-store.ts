import type { JobPlan } from './job-plan';
import type { VideoSubmit } from './validation';

export type SimJobStatus = 'created' | 'started' | 'completed' | 'failed';

export interface ClipLinks {
  videoUrl: string;
  thumbnailUrl: string;
}

/** A video job as the simulator keeps it; `job-record.ts` renders it the way useapi shows it. */
export interface SimJob {
  jobid: string;
  /** Order of acceptance in this run; names the job's random stream. */
  seq: number;
  email: string;
  status: SimJobStatus;
  created: number;
  updated: number;
  request: VideoSubmit;
  plan: JobPlan;
  /** Account credits right after this job's clips were paid. */
  remainingCredits: number;
  /** Links signed at completion (urlSigning `completion`). */
  links?: (ClipLinks | undefined)[];
  expired: boolean;
}

export class JobStore {
  private readonly jobs = new Map<string, SimJob>();

  add(job: SimJob): void {
    this.jobs.set(job.jobid, job);
  }

  get(jobid: string): SimJob | undefined {
    return this.jobs.get(jobid);
  }

  has(jobid: string): boolean {
    return this.jobs.has(jobid);
  }

  /** Newest first. */
  list(filter: { email?: string; executing?: boolean; limit?: number } = {}): SimJob[] {
    const out: SimJob[] = [];
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
