import { createFsMediaStore } from './fs-media-store';
import type { MediaStore } from './media-store';
import { createS3MediaStore, type S3MediaStoreOptions } from './s3-media-store';

export type MediaStoreOptions = { driver: 'fs'; dir: string } | ({ driver: 's3' } & S3MediaStoreOptions);

/** The store the configuration names (`config.media.store`). */
export async function openMediaStore(options: MediaStoreOptions): Promise<MediaStore> {
  return options.driver === 'fs' ? createFsMediaStore({ dir: options.dir }) : createS3MediaStore(options);
}
