import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256OffThread } from './sha256-off-thread';

const data = randomBytes(3 * 1024 * 1024 + 17);
const expected = createHash('sha256').update(data).digest('hex');

function hashInChunks(bytes: Buffer, chunk: number): Promise<string> {
  const hash = sha256OffThread();
  for (let i = 0; i < bytes.length; i += chunk) hash.update(bytes.subarray(i, i + chunk));
  return hash.digest();
}

describe('sha256OffThread', () => {
  it.each([
    { chunk: 3 << 19, what: 'chunks larger than a batch' },
    { chunk: 65_536, what: 'network-sized chunks' },
    { chunk: 1000, what: 'chunks that do not divide a batch' },
  ])('equals createHash for $what', async ({ chunk }) => {
    expect(await hashInChunks(data, chunk)).toBe(expected);
  });

  it('hashes the empty input', async () => {
    expect(await sha256OffThread().digest()).toBe(createHash('sha256').digest('hex'));
  });

  it('keeps interleaved hashes apart', async () => {
    const other = randomBytes(500_000);
    const a = sha256OffThread();
    const b = sha256OffThread();
    for (let i = 0; i < data.length; i += 65_536) {
      a.update(data.subarray(i, i + 65_536));
      if (i < other.length) b.update(other.subarray(i, i + 65_536));
    }
    expect(await Promise.all([a.digest(), b.digest()])).toEqual([expected, createHash('sha256').update(other).digest('hex')]);
  });

  it("leaves the caller's chunks intact (they are still being written)", async () => {
    const copy = Buffer.from(data);
    await hashInChunks(data, 300_000);
    expect(data.equals(copy)).toBe(true);
  });

  it('an abandoned hash does not disturb the next', async () => {
    const dropped = sha256OffThread();
    dropped.update(randomBytes(400_000));
    dropped.abandon();
    expect(await hashInChunks(data, 65_536)).toBe(expected);
  });

  it('keeps a process alive while a digest is awaited, and not after', async () => {
    // A script whose last work is a digest: it must print it, then exit by itself.
    const module = fileURLToPath(new URL('./sha256-off-thread.ts', import.meta.url));
    const script = `const { sha256OffThread } = await import(${JSON.stringify(module)});
      const h = sha256OffThread(); h.update(Buffer.from('flowq')); console.log(await h.digest());`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(killer);
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: createHash('sha256').update('flowq').digest('hex') });
  }, 30_000);
});
