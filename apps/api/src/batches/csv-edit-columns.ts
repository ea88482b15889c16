/**
 * The flat CSV columns of what a JSON request nests: an upscale or extend row's source, and a
 * video row's chain (`then`).
 *
 * - `sourceJob` (a flowq job id) with `sourceClip` (its clip, default 0), or `sourceMediaId`
 *   (a mediaGenerationId made on one of the pool's accounts): the request's `source`.
 * - `then`: follow-ups for each clip of a video row. Compact, `;`-separated upscales:
 *   `upscale`, `upscale:1080p`, `upscale:4K`, `upscale:1080p;upscale:4K`; or the JSON array
 *   a request takes (`[{"kind":"extend","prompt":"..."}]`), for extends.
 */
export const CSV_SOURCE_COLUMNS = ['sourceJob', 'sourceClip', 'sourceMediaId'] as const;

const COMPACT_UPSCALE = /^upscale(?::(.+))?$/i;

/** The chain a `then` cell asks for, or why it cannot be read. */
export function parseThenCell(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const cell = text.trim();
  if (cell.startsWith('[') || cell.startsWith('{')) {
    try {
      const value = JSON.parse(cell) as unknown;
      return { ok: true, value: Array.isArray(value) ? value : [value] };
    } catch {
      return { ok: false, message: 'is not valid JSON (write upscale:1080p, or a JSON array of follow-ups)' };
    }
  }
  const value: unknown[] = [];
  for (const part of cell.split(';')) {
    const entry = part.trim();
    if (entry === '') continue;
    const match = COMPACT_UPSCALE.exec(entry);
    if (!match) return { ok: false, message: `"${entry.slice(0, 40)}" is not upscale or upscale:<resolution> (write an extend as a JSON array)` };
    value.push(match[1] === undefined ? { kind: 'upscale' } : { kind: 'upscale', resolution: match[1].trim() });
  }
  return { ok: true, value };
}

/** A CSV row's fields with its flat source columns as `source` and its `then` cell read. */
export function nestCsvFields(fields: Record<string, unknown>): { fields: Record<string, unknown>; issues: { column: string; message: string }[] } {
  const { sourceJob, sourceClip, sourceMediaId, then, ...rest } = fields;
  const out: Record<string, unknown> = rest;
  const issues: { column: string; message: string }[] = [];
  if (sourceJob !== undefined || sourceClip !== undefined || sourceMediaId !== undefined) {
    out.source = {
      ...(sourceJob !== undefined ? { jobId: String(sourceJob) } : {}),
      ...(sourceClip !== undefined ? { clip: sourceClip } : {}),
      ...(sourceMediaId !== undefined ? { mediaGenerationId: String(sourceMediaId) } : {}),
    };
  }
  if (then !== undefined) {
    const chain = parseThenCell(String(then));
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    if (chain.ok) out.then = chain.value;
    else issues.push({ column: 'then', message: chain.message });
  }
  return { fields: out, issues };
}

/** The CSV column a problem with a request field belongs to. */
export function csvColumnOf(field: string): string {
  if (field === 'source.clip') return 'sourceClip';
  if (field === 'source.mediaGenerationId') return 'sourceMediaId';
  if (field === 'source' || field.startsWith('source.')) return 'sourceJob';
  if (field === 'then' || field.startsWith('then.')) return 'then';
  return field;
}
