import type { RequestLogEntry } from '@flowq/flow-simulator';

/** What one scenario measured; the table in docs/reliability.md is made of these. */
export interface ScenarioReport {
  scenario: string;
  /** Faults injected, by kind. */
  faults: Record<string, number>;
  jobs: number;
  lost: number;
  duplicatedSubmissions: number;
  /** Submissions beyond the first of each job (refused, failed, or resubmitted). */
  retries: number;
  maxRequestsPerJob: number;
  /** Anything else worth reading (timings, counts); not summed. */
  notes: Record<string, number | string>;
}

export function totalFaults(r: ScenarioReport): number {
  return Object.values(r.faults).reduce((a, b) => a + b, 0);
}

/** Requests the simulator logged per prompt (submits and polls carry it; listings do not). */
export function requestsByPrompt(entries: RequestLogEntry[]): Map<string, RequestLogEntry[]> {
  const out = new Map<string, RequestLogEntry[]>();
  for (const e of entries) {
    if (e.prompt === undefined) continue;
    const list = out.get(e.prompt) ?? [];
    list.push(e);
    out.set(e.prompt, list);
  }
  return out;
}

const isSubmit = (e: RequestLogEntry) => e.method === 'POST' && e.path.endsWith('/videos');

/** Paid submissions (201) beyond one per prompt: each prompt is one flowq job. */
export function duplicatedSubmissions(byPrompt: Map<string, RequestLogEntry[]>): { total: number; prompts: string[] } {
  let total = 0;
  const prompts: string[] = [];
  for (const [prompt, list] of byPrompt) {
    const paid = list.filter((e) => isSubmit(e) && e.status === 201).length;
    if (paid > 1) {
      total += paid - 1;
      prompts.push(prompt);
    }
  }
  return { total, prompts };
}

export function retriesOf(byPrompt: Map<string, RequestLogEntry[]>): number {
  let n = 0;
  for (const list of byPrompt.values()) n += Math.max(0, list.filter(isSubmit).length - 1);
  return n;
}

export function maxRequestsPerJob(byPrompt: Map<string, RequestLogEntry[]>): number {
  let max = 0;
  for (const list of byPrompt.values()) max = Math.max(max, list.length);
  return max;
}

export type ExpectedEnd = { status: 'succeeded' } | { status: 'failed'; code: string };

/**
 * The end flowq owes a job, read from the answers the simulator gave its submissions, in order:
 * a 201 succeeds (generations never fail in these runs), a 400 or 403 fails it for good, the
 * `maxAttempts`-th 5xx (other than 503) fails it, and 429s and 503s only delay it.
 */
export function expectedEnd(submits: RequestLogEntry[], maxAttempts: number): ExpectedEnd | null {
  let errors = 0;
  for (const s of submits) {
    if (s.status === 201) return { status: 'succeeded' };
    if (s.status === 400) return { status: 'failed', code: s.cause === 'content-policy' ? 'content_policy' : 'invalid_request' };
    // 403 captcha_quality: tried again elsewhere, never the job's failure nor an attempt.
    if (s.status === 403) continue;
    if (s.status >= 500 && s.status !== 503) {
      errors++;
      if (errors >= maxAttempts) return { status: 'failed', code: 'retries_exhausted' };
    }
  }
  return null;
}

export function formatTable(reports: ScenarioReport[]): string {
  const head = ['scenario', 'faults injected', 'jobs', 'lost', 'duplicated', 'retries', 'max requests/job'];
  const rows = reports.map((r) => [
    r.scenario,
    Object.entries(r.faults)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
    String(r.jobs),
    String(r.lost),
    String(r.duplicatedSubmissions),
    String(r.retries),
    String(r.maxRequestsPerJob),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
