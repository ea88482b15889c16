import { eq } from 'drizzle-orm';
import type { Db } from '../client';
import { jobs, type JobRow } from '../schema';

export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return row;
}
