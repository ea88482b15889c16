import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from './api-client';
import { downloadBatch } from './download-videos';
import { downloadName, fileInside } from './file-names';

let server: Server;
let base: string;
let root: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('video bytes'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  root = await mkdtemp(join(tmpdir(), 'flowq-download-'));
});
afterAll(async () => {
  server.close();
  await rm(root, { recursive: true, force: true });
});

/** A server that answers the export with whatever rows it likes (a spoofed or compromised flowq). */
function spoofedClient(lines: unknown[]): ApiClient {
  return {
    request: async () => new Response(`[\n${lines.map((l) => JSON.stringify(l)).join(',\n')}\n]\n`),
  } as unknown as ApiClient;
}

describe('flowq download writes only inside --out', () => {
  it('a spoofed server answering "row":"../../escaped" cannot make it write outside --out (was a path traversal)', async () => {
    const out = join(root, 'a', 'b', 'out');
    const video = { url: `${base}/v.mp4`, thumbnailUrl: `${base}/t.jpg` };
    const client = spoofedClient([
      { row: '../../escaped', ref: null, status: 'succeeded', videos: [video] },
      { row: 2, ref: '../../../ref-escape', status: 'succeeded', videos: [video] },
      { row: 3, ref: '/etc/passwd', status: 'succeeded', videos: [video] },
      { row: 4, ref: 'ok', status: 'succeeded', videos: [video] },
    ]);
    const summary = await downloadBatch(client, 'bat_x', out);
    expect(summary.failed).toEqual([]);
    const files = (await readdir(out)).sort();
    expect(files).toEqual([
      '2-ref-escape-1.jpg',
      '2-ref-escape-1.mp4',
      '3-etc_passwd-1.jpg',
      '3-etc_passwd-1.mp4',
      '4-ok-1.jpg',
      '4-ok-1.mp4',
      'row_escaped-1.jpg',
      'row_escaped-1.mp4',
    ]);
    // Nothing landed above --out.
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['out']);
    expect(await readdir(root)).toEqual(['a']);
  });

  it('downloadName keeps each component to safe characters; fileInside refuses anything that leaves the directory', () => {
    expect(downloadName(12, 'scene 1', 1, 'mp4')).toBe('12-scene_1-1.mp4');
    expect(downloadName('../x', null, 1, 'mp4')).toBe('row_x-1.mp4');
    expect(downloadName(-1, null, 2, 'jpg')).toBe('row_-1-2.jpg');
    expect(downloadName(1.5, { evil: true }, 1, 'mp4')).toBe('row_1.5-1.mp4');
    expect(fileInside('/tmp/out', 'a.mp4')).toBe('/tmp/out/a.mp4');
    for (const name of ['../a.mp4', '/etc/passwd', 'sub/a.mp4', '..', '.', '']) expect(() => fileInside('/tmp/out', name), name).toThrow(/outside/);
  });
});
