import { pgClientOf } from '../named-statement';
import type { Db } from '../client';
import type { JobRow } from '../schema';
import { jobRowOf } from './insert-job';

/**
 * The job's row, or undefined. Read by every worker step: a named statement of fixed text (parsed
 * and planned once per connection, no query built per call), on the builder's own client (the
 * pool, or a transaction's connection).
 */
export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  const client = pgClientOf(db);
  const { rows } = await client.query({ name: 'flowq_find_job', text: 'select * from jobs where id = $1', values: [id] });
  const [raw] = rows as Record<string, unknown>[];
  return raw ? jobRowOf(raw) : undefined;
}
