import { basename, dirname, resolve } from 'node:path';

/** A client's ref made safe as part of a file name on any system. */
export function safeRef(ref: string | null | undefined): string {
  return (ref ?? '')
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
}

/** The extensions a downloaded file may have: a clip, its thumbnail, or an image. */
export type DownloadExtension = 'mp4' | 'jpg' | 'png' | 'webp';

/**
 * The extension of an image result: the one of flowq's archived address (`image-<n>.png`, the
 * type its bytes were stored as), else JPEG (what useapi makes).
 */
export function imageExtensionOf(url: string): DownloadExtension {
  const match = /\.(jpg|png|webp)(?:$|[?#])/.exec(url);
  return (match?.[1] as DownloadExtension | undefined) ?? 'jpg';
}

/**
 * `<row>-<ref>-<n>.mp4` (or `<row>-<n>.mp4` for a row without a ref), n counting from 1.
 * Every part comes from the server's answer, so each is made safe on its own: the row must be
 * a whole number (anything else becomes `row_<safe text>`), the ref goes through safeRef.
 */
export function downloadName(row: unknown, ref: unknown, n: number, ext: DownloadExtension): string {
  const rowPart = typeof row === 'number' && Number.isSafeInteger(row) && row >= 0 ? String(row) : `row_${safeRef(String(row))}`;
  const r = safeRef(typeof ref === 'string' || typeof ref === 'number' ? String(ref) : '');
  return `${rowPart}-${r ? `${r}-` : ''}${n}.${ext}`;
}

/** `dir/name`, refused unless it lands directly inside `dir` (the last guard against a hostile name). */
export function fileInside(dir: string, name: string): string {
  const root = resolve(dir);
  const file = resolve(root, name);
  if (dirname(file) !== root || basename(file) !== name) throw new Error(`refusing to write "${name}" outside ${root}`);
  return file;
}
