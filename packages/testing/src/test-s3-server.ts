/// <reference path="./s3rver.d.ts" />
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** What `createS3MediaStore` (and MEDIA_S3_* in a child process) needs to talk to this server. */
  options: {
    driver: 's3';
    bucket: string;
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
    keyPrefix: string;
  };
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver) on a free port with its files in a temp directory, so the
 * S3 driver is tested through the same AWS SDK client production uses. Its credentials are
 * s3rver's fixed pair; it checks request signatures like S3 does.
 */
export async function startTestS3Server(bucket = 'flowq-test', options: { ownProcess?: boolean } = {}): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'flowq-s3rver-'));
  const { port, close } = options.ownProcess ? await runInOwnProcess(directory, bucket) : await runHere(directory, bucket);
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    bucket,
    options: { driver: 's3', bucket, endpoint, region: 'us-east-1', forcePathStyle: true, credentials, keyPrefix: '' },
    env: {
      MEDIA_STORE: 's3',
      MEDIA_S3_BUCKET: bucket,
      MEDIA_S3_ENDPOINT: endpoint,
      MEDIA_S3_REGION: 'us-east-1',
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
      MEDIA_S3_ACCESS_KEY_ID: credentials.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    async stop() {
      await close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

interface Running {
  port: number;
  close(): Promise<void>;
}

async function runHere(directory: string, bucket: string): Promise<Running> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    port,
    async close() {
      server.httpServer?.closeAllConnections?.();
      await server.close().catch(() => {});
    },
  };
}

/** The same server in a child process (benches: its CPU is not the measured process's). */
async function runInOwnProcess(directory: string, bucket: string): Promise<Running> {
  const child = fork(new URL('./s3rver-process.mjs', import.meta.url), [directory, bucket], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [started] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`s3rver exited (code ${code})`))),
  ])) as [{ port: number }];
  return {
    port: started.port,
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send('stop');
      await exited;
    },
  };
}
