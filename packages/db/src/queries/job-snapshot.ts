import { getTableColumns } from 'drizzle-orm';
import { jobs, type JobRow } from '../schema';

/** The row's date fields (timestamp columns): JSON carries them as ISO strings. */
const DATE_KEYS = Object.entries(getTableColumns(jobs))
  .filter(([, column]) => column.columnType === 'PgTimestamp')
  .map(([key, column]) => ({ key, required: column.notNull }));

/**
 * A job row as text, to travel beside a hint in Redis (the webhook's read of the row, handed to
 * the worker step it wakes). The callback secret stays out: Redis never holds it.
 */
export function jobSnapshotOf(row: JobRow): string {
  return JSON.stringify({ ...row, callbackSecret: undefined });
}

/** The row back from `jobSnapshotOf` (dates revived; no callback secret: ''). Undefined when the text is not one. */
export function jobRowOfSnapshot(text: string): JobRow | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || typeof (raw as { id?: unknown }).id !== 'string') return undefined;
  const row: Record<string, unknown> = { ...(raw as Record<string, unknown>), callbackSecret: '' };
  for (const { key, required } of DATE_KEYS) {
    const value = row[key];
    if (typeof value === 'string') row[key] = new Date(value);
    else if ((value === undefined || value === null) && !required) row[key] = null;
    else return undefined;
  }
  return row as unknown as JobRow;
}
