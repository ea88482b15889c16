/** One request the simulator answered (control routes under `/_sim` are not logged). */
export interface RequestLogEntry {
  at: number;
  method: string;
  /** Path without the query string, as the client sent it (not decoded). */
  path: string;
  status: number;
  email?: string;
  prompt?: string;
  replyRef?: string;
  jobid?: string;
  /**
   * Why the simulator refused a submit: `injected` (a fault), `concurrency` (over the account's
   * limit), `content-policy`, `session`, `subscription`, `credits`, `tier`, `validation`, `account`.
   */
  cause?: string;
}

export type LogFilter = Partial<Pick<RequestLogEntry, 'method' | 'path' | 'status' | 'email' | 'cause'>>;

export class RequestLog {
  private readonly items: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.items.push(entry);
  }

  entries(filter: LogFilter = {}): RequestLogEntry[] {
    return this.items.filter((e) => (Object.keys(filter) as (keyof LogFilter)[]).every((k) => filter[k] === undefined || e[k] === filter[k]));
  }

  /** Every `POST /videos`, answered or refused. */
  submissions(): RequestLogEntry[] {
    return this.items.filter(isSubmission);
  }

  /** The `POST /videos` calls that carried exactly this prompt. */
  submissionsFor(prompt: string): RequestLogEntry[] {
    return this.items.filter((e) => isSubmission(e) && e.prompt === prompt);
  }

  count(filter: LogFilter = {}): number {
    return this.entries(filter).length;
  }

  /** `{ 200: 3, 201: 10, 429: 2 }` over the entries that match. */
  countByStatus(filter: LogFilter = {}): Record<number, number> {
    const out: Record<number, number> = {};
    for (const e of this.entries(filter)) out[e.status] = (out[e.status] ?? 0) + 1;
    return out;
  }

  clear(): void {
    this.items.length = 0;
  }
}

function isSubmission(e: RequestLogEntry): boolean {
  return e.method === 'POST' && e.path.endsWith('/videos');
}
