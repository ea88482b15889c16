/** A client's ref made safe as part of a file name on any system. */
export function safeRef(ref: string | null | undefined): string {
  return (ref ?? '')
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
}

/** `<row>-<ref>-<n>.mp4` (or `<row>-<n>.mp4` for a row without a ref), n counting from 1. */
export function downloadName(row: number, ref: string | null | undefined, n: number, ext: 'mp4' | 'jpg'): string {
  const r = safeRef(ref);
  return `${row}-${r ? `${r}-` : ''}${n}.${ext}`;
}
