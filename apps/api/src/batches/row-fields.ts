import { IMAGE_FIELDS, IMAGE_REFERENCE_FIELDS, ValidationError } from '@flowq/core';
import { CSV_SOURCE_COLUMNS, csvColumnOf, nestCsvFields } from './csv-edit-columns';

/** Columns a batch row may carry, as the job request names them. Anything else is row metadata. */
export const BATCH_COLUMNS = [
  'kind',
  'prompt',
  'model',
  'aspectRatio',
  'duration',
  'resolution',
  'count',
  'seed',
  'email',
  ...IMAGE_FIELDS,
  ...IMAGE_REFERENCE_FIELDS,
  'captchaRetry',
  'captchaOrder',
  'priority',
  'ref',
  ...CSV_SOURCE_COLUMNS,
  'then',
] as const;
export type BatchColumn = (typeof BATCH_COLUMNS)[number];

const BY_LOWER_NAME = new Map<string, BatchColumn>(BATCH_COLUMNS.map((c) => [c.toLowerCase(), c]));
const NUMERIC: ReadonlySet<string> = new Set(['count', 'seed', 'priority', 'duration', 'captchaRetry', 'sourceClip']);
const NUMBER_TEXT = /^[+-]?\d+(\.\d+)?$/;

/** Where each known column and each metadata column sits in a CSV record. */
export interface ColumnMap {
  known: { index: number; name: BatchColumn }[];
  extra: { index: number; name: string }[];
  width: number;
}

/**
 * Reads the header row: names match the request fields case-insensitively, unknown names are
 * kept as metadata keys. A file without a prompt column (or, for upscales, a source column), or
 * naming a column twice, is refused.
 */
export function mapHeader(header: readonly string[]): ColumnMap {
  const known: ColumnMap['known'] = [];
  const extra: ColumnMap['extra'] = [];
  const seen = new Set<string>();
  header.forEach((raw, index) => {
    const text = raw.trim();
    const name = BY_LOWER_NAME.get(text.toLowerCase()) ?? (text || `column_${index + 1}`);
    if (seen.has(name.toLowerCase())) throw new ValidationError(`file: the header names column "${name}" twice`, 'file');
    seen.add(name.toLowerCase());
    const column = BY_LOWER_NAME.get(name.toLowerCase());
    if (column) known.push({ index, name: column });
    else extra.push({ index, name });
  });
  if (!known.some((k) => k.name === 'prompt' || k.name === 'sourceJob' || k.name === 'sourceMediaId')) {
    const names = header
      .map((h) => h.trim())
      .filter(Boolean)
      .slice(0, 10)
      .join(', ');
    throw new ValidationError(`file: has no prompt column (header: ${names || 'empty'})`, 'file');
  }
  return { known, extra, width: header.length };
}

/**
 * A CSV cell as a request value: blank means "not given" (so defaults apply), numeric
 * columns become numbers when they look like one. Anything else stays text and fails the
 * same validation a JSON request would, with the same message.
 */
export function cellValue(column: string, raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (NUMERIC.has(column) && NUMBER_TEXT.test(text)) return Number(text);
  return column === 'prompt' ? raw : text;
}

/** One input row, before validation. */
export interface RawBatchRow {
  /** 1-based data row (CSV record after the header, or JSON item). */
  row: number;
  /** null when the input is not a row at all (a JSON item that is not an object): only `issues` apply. */
  fields: Record<string, unknown> | null;
  ref?: unknown;
  metadata?: unknown;
  /** Problems found before validation (a record wider than its header). */
  issues?: { column: string; message: string }[];
  /** The column a problem with a request field is reported under (a CSV names its flat columns, not `source.jobId`). */
  columnOf?: (field: string) => string;
}

export function rowFromRecord(map: ColumnMap, record: readonly string[], row: number): RawBatchRow {
  const fields: Record<string, unknown> = {};
  let ref: string | undefined;
  for (const { index, name } of map.known) {
    const value = cellValue(name, record[index]);
    if (value === undefined) continue;
    if (name === 'ref') ref = String(value);
    else fields[name] = value;
  }
  let metadata: Record<string, string> | undefined;
  for (const { index, name } of map.extra) {
    const value = record[index];
    if (value === undefined || value === '') continue;
    (metadata ??= {})[name] = value;
  }
  const nested = nestCsvFields(fields);
  const out: RawBatchRow = { row, fields: nested.fields, ref, metadata, columnOf: csvColumnOf };
  const issues = [...nested.issues];
  if (record.length > map.width && record.slice(map.width).some((v) => v.trim() !== '')) {
    issues.push({ column: '', message: `has ${record.length} fields but the header has ${map.width}` });
  }
  if (issues.length > 0) out.issues = issues;
  return out;
}
