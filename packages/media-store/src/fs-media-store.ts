import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertSafeKey, assertSafePrefix } from './media-key';
import type { ByteRange, MediaStore, ObjectInfo, ObjectRead, PutOptions, StoredObject } from './media-store';
import { coalescedSync } from './coalesced-sync';
import { createMeter, sniffHead } from './measured-stream';
import { writeChunks } from './write-chunks';

/** Where half-written files live until they are complete; never listed, never served. */
const TEMP_DIR = '.incoming';
/** A temp file this old belongs to a writer that died (no download takes an hour); it is swept. */
const STALE_TEMP_MS = 3_600_000;

export interface FsMediaStoreOptions {
  dir: string;
}

/**
 * Files under one directory. A put writes a temp file beside the store, fsyncs it, then renames
 * it into place (atomic on one filesystem), so a reader sees the old file, the new one, or none:
 * never part of one, even if the writer is killed halfway.
 */
export async function createFsMediaStore(options: FsMediaStoreOptions): Promise<MediaStore> {
  const root = path.resolve(options.dir);
  const tempRoot = path.join(root, TEMP_DIR);
  await mkdir(tempRoot, { recursive: true });
  await sweepStaleTemps(tempRoot, Date.now() - STALE_TEMP_MS);
  const fileOf = (key: string) => path.join(root, ...assertSafeKey(key).split('/'));

  const infoOf = async (key: string): Promise<ObjectInfo | null> => {
    try {
      const s = await stat(fileOf(key));
      return s.isFile() ? { key, bytes: s.size, modifiedAt: s.mtime } : null;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  };

  return {
    driver: 'fs',

    async put(key: string, body: Readable, putOptions?: PutOptions): Promise<StoredObject> {
      const target = fileOf(key);
      const { contentType, head } = await sniffHead(body, putOptions);
      const meter = createMeter(contentType, putOptions?.maxBytes);
      const temp = path.join(tempRoot, `${randomBytes(12).toString('hex')}.part`);
      let measured: { bytes: number; sha256: string };
      let madeDirsIn: string[];
      try {
        const handle = await open(temp, 'wx');
        try {
          await writeChunks(handle, head, body, (chunk) => meter.take(chunk));
          // fsync before the rename below, so it never publishes a file still in the page cache only.
          [, measured] = await Promise.all([handle.sync(), meter.result()]);
        } finally {
          await handle.close();
        }
        madeDirsIn = await renameCreatingDir(temp, target);
      } catch (e) {
        body.destroy();
        meter.abandon();
        await rm(temp, { force: true });
        throw e;
      }
      // The rename is durable once the directory holding the new name is synced (and those holding directories it made).
      await Promise.all([path.dirname(target), ...madeDirsIn].map((dir) => syncDir(dir)));
      return { key, bytes: measured.bytes, sha256: measured.sha256, contentType };
    },

    async get(key: string, range?: ByteRange): Promise<ObjectRead | null> {
      // Open first, then stat the open file: a concurrent replace cannot mix two versions.
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(fileOf(key), 'r');
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
      const s = await handle.stat();
      if (!s.isFile()) {
        await handle.close();
        return null;
      }
      const body = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      return range ? { body, bytes: s.size, range } : { body, bytes: s.size };
    },

    head: infoOf,

    async delete(key: string): Promise<void> {
      await rm(fileOf(key), { force: true });
    },

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      assertSafePrefix(prefix);
      // Walk only the directory the prefix points into, then filter by the rest of it.
      const slash = prefix.lastIndexOf('/');
      const baseKey = slash === -1 ? '' : prefix.slice(0, slash);
      const start = baseKey === '' ? root : path.join(root, ...baseKey.split('/'));
      for await (const key of walk(start, baseKey)) {
        if (!key.startsWith(prefix)) continue;
        const info = await infoOf(key);
        if (info) yield info;
      }
    },

    async presignedUrl(): Promise<string | undefined> {
      return undefined;
    },

    async close(): Promise<void> {},
  };
}

async function* walk(dir: string, keyPrefix: string): AsyncIterable<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // the temp directory, and nothing a key can name
    const key = keyPrefix === '' ? entry.name : `${keyPrefix}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(path.join(dir, entry.name), key);
    else if (entry.isFile()) yield key;
  }
}

async function sweepStaleTemps(tempRoot: string, olderThan: number): Promise<void> {
  for (const name of await readdir(tempRoot)) {
    const file = path.join(tempRoot, name);
    const s = await stat(file).catch(() => null);
    if (s && s.mtimeMs < olderThan) await rm(file, { force: true });
  }
}

/**
 * Renames into a directory made on first use (the rename answers ENOENT when it is missing): no
 * mkdir per put. Answers the directories whose entries changed besides the target's own: when
 * directories were made, each of their parents, so the new path survives a power loss too.
 */
async function renameCreatingDir(from: string, to: string): Promise<string[]> {
  try {
    await rename(from, to);
    return [];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const dir = path.dirname(to);
  const firstMade = await mkdir(dir, { recursive: true });
  await rename(from, to);
  // Made meanwhile by another put, which may not have synced it yet: sync its parent too.
  if (firstMade === undefined) return [path.dirname(dir)];
  const changed: string[] = [];
  for (let made = dir; made !== path.dirname(firstMade); made = path.dirname(made)) changed.push(path.dirname(made));
  return changed;
}

/** Make a rename durable: fsync the directory that holds the new name. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Concurrent puts into one directory share its fsyncs (each still waits for one that started after its rename). */
const syncDir = coalescedSync(fsyncDir);

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}
