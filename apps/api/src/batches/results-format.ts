import type { JobError, JobKind, JobResult } from '@flowq/core';
import { imageView } from '../media/image-view';
import type { MediaLinks } from '../media/media-links';
import { videoView } from '../media/video-view';

/** One line of a batch's results: one per input row, rejected rows included. */
export interface ResultRecord {
  ref: string | null;
  row: number;
  /** null for a rejected row. */
  kind: JobKind | null;
  /** null for an upscale (it has none) and a rejected row. */
  prompt: string | null;
  status: string;
  /**
   * `url` is flowq's address once archived (API key), `downloadUrl` the same signed to open
   * without one; `sha256` lets a downloader check what it got. An expired clip has no url.
   */
  videos: {
    url: string | null;
    thumbnailUrl: string | null;
    downloadUrl: string | null;
    thumbnailDownloadUrl: string | null;
    sha256: string | null;
    bytes: number | null;
    archive: string;
  }[];
  /** An image job's images, read as its videos are. */
  images: { url: string | null; downloadUrl: string | null; sha256: string | null; bytes: number | null; archive: string }[];
  /** Of the videos, then the images. */
  seeds: number[];
  /** The jobs the row's chain (`then`) created once it succeeded. */
  followUps: string[];
  errorCode: string | null;
  errorMessage: string | null;
}

export function resultOfJob(
  job: {
    ref: string | null;
    batchRow: number | null;
    kind: JobKind;
    request: { prompt?: string };
    status: string;
    result: JobResult | null;
    error: JobError | null;
  },
  links: MediaLinks,
  followUps: readonly string[] = [],
): ResultRecord {
  const videos = (job.result?.videos ?? []).filter((v) => v.status === 'succeeded');
  const images = job.result?.images ?? [];
  return {
    ref: job.ref,
    row: job.batchRow ?? 0,
    kind: job.kind,
    prompt: job.request.prompt ?? null,
    status: job.status,
    videos: videos.map((v) => {
      const view = videoView(v, links);
      return {
        url: view.url,
        thumbnailUrl: view.thumbnailUrl,
        downloadUrl: view.downloadUrl,
        thumbnailDownloadUrl: view.thumbnailDownloadUrl,
        sha256: view.sha256,
        bytes: view.bytes,
        archive: view.archive.status,
      };
    }),
    images: images.map((i) => {
      const view = imageView(i, links);
      return { url: view.url, downloadUrl: view.downloadUrl, sha256: view.sha256, bytes: view.bytes, archive: view.archive.status };
    }),
    seeds: [...videos, ...images].map((v) => v.seed).filter((s): s is number => s !== null),
    followUps: [...followUps],
    errorCode: job.error?.code ?? null,
    errorMessage: job.error?.message ?? null,
  };
}

/** A row refused at upload (only `onInvalid=skip` batches have them): no job, its validation problem instead. */
export function resultOfRejectedRow(row: number, problems: readonly { column: string; message: string }[]): ResultRecord {
  const message = problems.length ? problems.map((p) => (p.column ? `${p.column}: ${p.message}` : p.message)).join('; ') : 'the row was invalid';
  return {
    ref: null,
    row,
    kind: null,
    prompt: null,
    status: 'rejected',
    videos: [],
    images: [],
    seeds: [],
    followUps: [],
    errorCode: 'invalid_row',
    errorMessage: message,
  };
}

/**
 * The columns of a batch's CSV export: a URL pair per clip up to the most clips of a row; and
 * only when the batch has them (a batch of plain videos keeps the columns it always had) the
 * row's `kind`, a URL and SHA-256 per image, and the chain's `follow_ups`.
 */
export interface CsvShape {
  videos: number;
  images: number;
  kinds: boolean;
  chains: boolean;
}

export function resultCsvHeader(shape: CsvShape): string {
  const videos = Array.from({ length: shape.videos }, (_, i) => [`video_${i + 1}_url`, `thumbnail_${i + 1}_url`]).flat();
  const images = Array.from({ length: shape.images }, (_, i) => [`image_${i + 1}_url`, `image_${i + 1}_sha256`]).flat();
  return csvLine([
    'ref',
    'row',
    'prompt',
    'status',
    ...(shape.kinds ? ['kind'] : []),
    ...videos,
    ...images,
    'seeds',
    ...(shape.chains ? ['follow_ups'] : []),
    'error_code',
    'error_message',
  ]);
}

export function resultCsvLine(r: ResultRecord, shape: CsvShape): string {
  const videos = Array.from({ length: shape.videos }, (_, i) => [r.videos[i]?.url ?? '', r.videos[i]?.thumbnailUrl ?? '']).flat();
  const images = Array.from({ length: shape.images }, (_, i) => [r.images[i]?.url ?? '', r.images[i]?.sha256 ?? '']).flat();
  const cells = [
    r.ref ?? '',
    r.row,
    r.prompt ?? '',
    r.status,
    ...(shape.kinds ? [r.kind ?? ''] : []),
    ...videos,
    ...images,
    r.seeds.join(' '),
    ...(shape.chains ? [r.followUps.join(' ')] : []),
    r.errorCode ?? '',
    r.errorMessage ?? '',
  ];
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
