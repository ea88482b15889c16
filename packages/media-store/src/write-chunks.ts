import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one write: a 4 MB clip is 8 writes, not one per 64 KB network chunk. */
const WRITE_BATCH_BYTES = 512 * 1024;
/** ...or chunks: a body in tiny chunks stays far below the kernel's limit on buffers per writev. */
const WRITE_BATCH_CHUNKS = 256;

/**
 * Writes `first` then every chunk of `rest` to `handle`, in batches, one write in flight while
 * the next batch gathers (at most two batches in memory). `take` sees each chunk before it is
 * written and may throw to stop the copy; the error is thrown once the write in flight settled.
 */
export async function writeChunks(handle: FileHandle, first: Buffer, rest: AsyncIterable<Buffer>, take: (chunk: Buffer) => void): Promise<void> {
  let inFlight: Promise<void> | undefined;
  let batch: Buffer[] = [];
  let batched = 0;
  const add = async (chunk: Buffer) => {
    take(chunk);
    batch.push(chunk);
    batched += chunk.length;
    if (batched < WRITE_BATCH_BYTES && batch.length < WRITE_BATCH_CHUNKS) return;
    await inFlight;
    inFlight = writeAll(handle, batch);
    inFlight.catch(() => {}); // thrown where it is awaited
    batch = [];
    batched = 0;
  };
  try {
    await add(first);
    for await (const chunk of rest) await add(chunk);
    await inFlight;
    if (batched > 0) await writeAll(handle, batch);
  } catch (e) {
    await inFlight?.catch(() => {});
    throw e;
  }
}

/** writev until every byte is written (a regular file rarely takes less than all of it). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let left = buffers;
  while (left.length > 0) {
    const { bytesWritten } = await handle.writev(left);
    let skip = bytesWritten;
    while (left.length > 0 && skip >= left[0]!.length) {
      skip -= left[0]!.length;
      left = left.slice(1);
    }
    if (skip > 0) left = [left[0]!.subarray(skip), ...left.slice(1)];
  }
}
