import type { JobError, JobResult, VideoRequest } from '@flowq/core';

/** One line of a batch's results: one per input row, rejected rows included. */
export interface ResultRecord {
  ref: string | null;
  row: number;
  prompt: string | null;
  status: string;
  videos: { url: string; thumbnailUrl: string | null }[];
  seeds: number[];
  errorCode: string | null;
  errorMessage: string | null;
}

export function resultOfJob(job: {
  ref: string | null;
  batchRow: number | null;
  request: VideoRequest;
  status: string;
  result: JobResult | null;
  error: JobError | null;
}): ResultRecord {
  const videos = (job.result?.videos ?? []).filter((v) => v.status === 'succeeded');
  return {
    ref: job.ref,
    row: job.batchRow ?? 0,
    prompt: job.request.prompt,
    status: job.status,
    videos: videos.map((v) => ({ url: v.url, thumbnailUrl: v.thumbnailUrl })),
    seeds: videos.map((v) => v.seed).filter((s): s is number => s !== null),
    errorCode: job.error?.code ?? null,
    errorMessage: job.error?.message ?? null,
  };
}

/** A row refused at upload (only `onInvalid=skip` batches have them): no job, its validation problem instead. */
export function resultOfRejectedRow(row: number, problems: readonly { column: string; message: string }[]): ResultRecord {
  const message = problems.length ? problems.map((p) => (p.column ? `${p.column}: ${p.message}` : p.message)).join('; ') : 'the row was invalid';
  return { ref: null, row, prompt: null, status: 'rejected', videos: [], seeds: [], errorCode: 'invalid_row', errorMessage: message };
}

export function resultCsvHeader(maxVideos: number): string {
  const pairs = Array.from({ length: maxVideos }, (_, i) => [`video_${i + 1}_url`, `thumbnail_${i + 1}_url`]).flat();
  return csvLine(['ref', 'row', 'prompt', 'status', ...pairs, 'seeds', 'error_code', 'error_message']);
}

export function resultCsvLine(r: ResultRecord, maxVideos: number): string {
  const pairs = Array.from({ length: maxVideos }, (_, i) => [r.videos[i]?.url ?? '', r.videos[i]?.thumbnailUrl ?? '']).flat();
  const cells = [r.ref ?? '', r.row, r.prompt ?? '', r.status, ...pairs, r.seeds.join(' '), r.errorCode ?? '', r.errorMessage ?? ''];
  return csvLine(cells.map((c) => (typeof c === 'string' ? spreadsheetSafe(c) : c)));
}

/** What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): =, +, -, @, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet will show as text: one that starts like a formula gets a leading
 * single quote, as OWASP recommends, so `=HYPERLINK(...)` in a prompt or ref is shown, never
 * run. Only the CSV export does this; the JSON export keeps every value exact.
 */
export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** RFC 4180: quote a field holding a comma, quote or line break; double its quotes. */
export function csvLine(values: readonly (string | number)[]): string {
  return `${values.map((v) => (typeof v === 'number' ? String(v) : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',')}\r\n`;
}
