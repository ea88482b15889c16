import { CliError } from './cli-error';

export interface ApiClientOptions {
  url: string;
  key: string | undefined;
}

interface ErrorBody {
  error?: { code?: string; message?: string; rows?: { row: number; column: string; message: string }[]; total?: number };
}

/** Turns an answer that is not 2xx into the one line a person needs to fix it. */
export async function failureOf(res: Response, url: string): Promise<CliError> {
  const body = (await res.json().catch(() => ({}))) as ErrorBody;
  const message = body.error?.message ?? res.statusText;
  if (res.status === 401) return new CliError(`the API key was refused by ${url} (${message}); set FLOWQ_API_KEY or pass --key`);
  if (res.status === 403) return new CliError(`the API key may not do this (${message}); use an admin key`);
  if (res.status === 404) return new CliError(`not found: ${message}`);
  if (res.status === 422 && body.error?.rows) {
    const listed = body.error.rows.slice(0, 20).map((r) => `  row ${r.row}${r.column ? `, ${r.column}` : ''}: ${r.message}`);
    const more = body.error.rows.length > 20 ? [`  ... ${body.error.rows.length - 20} more listed by the API`] : [];
    return new CliError([`${message}`, ...listed, ...more].join('\n'));
  }
  return new CliError(`${res.status} ${body.error?.code ?? ''}: ${message}`.replace(' : ', ': '));
}

/** The flowq HTTP API as the CLI uses it: bearer auth, and a clear line when the server cannot be reached. */
export function createApiClient({ url, key }: ApiClientOptions) {
  const base = url.replace(/\/+$/, '');
  async function request(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, headers });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach flowq at ${base} (${cause?.code ?? cause?.message ?? (err as Error).message}); check FLOWQ_URL or --url`);
    }
    if (!res.ok) throw await failureOf(res, base);
    return res;
  }
  return {
    base,
    /** For fetching flowq's own media addresses, which need it as every API route does. */
    key,
    request,
    async json<T>(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<T> {
      return (await (await request(path, init)).json()) as T;
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** What `GET /v1/batches/:id` answers (the fields the CLI reads). */
export interface BatchView {
  id: string;
  name: string | null;
  status: string;
  total: number;
  accepted: number;
  rejected: number;
  /** `over_budget` and `archiving` are absent from servers older than them. */
  counts: Record<'queued' | 'submitting' | 'running' | 'succeeded' | 'failed' | 'cancelled', number> & { archiving?: number; over_budget?: number };
  credits: { spent: number; estimatedRemaining: number; maxCredits?: number | null; committed?: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  throughputPerMinute: number | null;
  etaSeconds: number | null;
}
