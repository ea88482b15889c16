import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { jobs } from '../schema';

/** Jobs counted by status and by whether they are a batch row: one index-only pass over `jobs_status_id_idx` plus the batch column. */
export async function countJobsByStatus(db: Db): Promise<{ status: string; kind: 'single' | 'batch'; count: number }[]> {
  const result = await db.execute<{ status: string; batch: boolean; n: number }>(sql`
    select ${jobs.status} as status, (${jobs.batchId} is not null) as batch, count(*)::int as n
    from ${jobs} group by 1, 2`);
  return result.rows.map((r) => ({ status: r.status, kind: r.batch ? 'batch' : 'single', count: r.n }));
}

/** Videos delivered by succeeded jobs, per model, and the credits they cost (each job priced at its account's tier). */
export async function videosDeliveredByModel(db: Db): Promise<{ model: string; videos: number; credits: number }[]> {
  const result = await db.execute<{ model: string | null; videos: number; credits: number }>(sql`
    select ${jobs.request} ->> 'model' as model,
      coalesce(sum(jsonb_array_length(coalesce(${jobs.result} -> 'videos', '[]'::jsonb))), 0)::int as videos,
      coalesce(sum(${jobs.credits}), 0)::int as credits
    from ${jobs} where ${jobs.status} = 'succeeded' group by 1`);
  return result.rows.filter((r) => r.model !== null).map((r) => ({ model: r.model!, videos: r.videos, credits: r.credits }));
}
