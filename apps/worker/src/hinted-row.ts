import { jobRowOfSnapshot, type JobRow } from '@flowq/db';
import type { CallbackHint } from '@flowq/queue';

/**
 * Whether a woken step may take the row its callback's hint carries instead of reading it: only
 * when the step slept awaiting that very upstream job (`awaits`, written with its delay) and the
 * webhook read the row running it, with an account. Since that read nothing but this job's own
 * steps moves such a row on, and any step that does clears `awaits` (a new submission awaits a
 * new upstream job); a cancel meanwhile is caught by the compare-and-set of every write. Anything
 * else (no hint, another upstream job, a row not running, text that is not a row) reads the row.
 */
export function hintedRow(hint: CallbackHint | null, awaits: string | undefined): JobRow | undefined {
  if (!awaits || !hint?.row || hint.upstreamJobId !== awaits) return undefined;
  const row = jobRowOfSnapshot(hint.row);
  if (!row || row.status !== 'running' || row.upstreamJobId !== awaits || !row.account) return undefined;
  return row;
}
