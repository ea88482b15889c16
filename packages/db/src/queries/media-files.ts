import { and, eq } from 'drizzle-orm';
import type { MediaFileKind } from '@flowq/core';
import type { Db } from '../client';
import { type MediaFileRow, mediaFiles } from '../schema';

export async function findMediaFile(db: Db, jobId: string, clip: number, kind: MediaFileKind): Promise<MediaFileRow | undefined> {
  const [row] = await db
    .select()
    .from(mediaFiles)
    .where(and(eq(mediaFiles.jobId, jobId), eq(mediaFiles.clipIndex, clip), eq(mediaFiles.kind, kind)))
    .limit(1);
  return row;
}
