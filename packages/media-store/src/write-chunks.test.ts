import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChunks } from './write-chunks';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flowq-write-chunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* chunksOf(data: Buffer, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function writeToFile(name: string, first: Buffer, rest: AsyncIterable<Buffer>, take: (chunk: Buffer) => void = () => {}) {
  const file = path.join(dir, name);
  const handle = await open(file, 'wx');
  try {
    await writeChunks(handle, first, rest, take);
  } finally {
    await handle.close();
  }
  return readFile(file);
}

describe('writeChunks', () => {
  const data = randomBytes(2 * 1024 * 1024 + 5);

  it.each([
    { chunk: 65_536, what: 'network-sized chunks' },
    { chunk: 1 << 20, what: 'chunks larger than a batch' },
    { chunk: 7, what: 'tiny chunks (many per batch)' },
  ])('writes the head then every chunk, in order, for $what', async ({ chunk }) => {
    const written = await writeToFile(`whole-${chunk}`, data.subarray(0, 16), chunksOf(data.subarray(16), chunk));
    expect(written.equals(data)).toBe(true);
  });

  it('shows take every chunk, the head first, before it is written', async () => {
    let seen = 0;
    const written = await writeToFile('counted', data.subarray(0, 16), chunksOf(data.subarray(16), 65_536), (c) => {
      seen += c.length;
    });
    expect(seen).toBe(data.length);
    expect(written.length).toBe(data.length);
  });

  it('stops at the chunk take refuses, with its error', async () => {
    let seen = 0;
    const refused = writeToFile('refused', data.subarray(0, 16), chunksOf(data.subarray(16), 65_536), (c) => {
      seen += c.length;
      if (seen > 1_000_000) throw new Error('too large');
    });
    await expect(refused).rejects.toThrow('too large');
    const partial = await readFile(path.join(dir, 'refused'));
    expect(partial.length).toBeLessThanOrEqual(1_000_000);
  });

  it('passes on an error of the source', async () => {
    async function* cut() {
      yield data.subarray(0, 100_000);
      throw new Error('connection reset');
    }
    await expect(writeToFile('cut', data.subarray(0, 16), cut())).rejects.toThrow('connection reset');
  });
});
