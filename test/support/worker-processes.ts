import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = fileURLToPath(new URL('../../apps/worker/src/main.ts', import.meta.url));

export interface WorkerProcesses {
  children: ChildProcess[];
  /** What they wrote to stderr/stdout, for a failing test's message. */
  output(): string;
  /** SIGTERM each and wait for it to exit; resolves to the exit codes. */
  stop(): Promise<(number | null)[]>;
}

/** Real, separate worker processes (as on several machines), joined to the same Postgres and Redis. */
export function spawnWorkers(count: number, env: Record<string, string>): WorkerProcesses {
  let output = '';
  const children = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      env: { ...process.env, ...env, LOG_LEVEL: env.LOG_LEVEL === 'silent' ? 'warn' : (env.LOG_LEVEL ?? 'warn') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tag = (chunk: Buffer) => (output += `[worker ${i}] ${chunk.toString()}`);
    child.stdout!.on('data', tag);
    child.stderr!.on('data', tag);
    return child;
  });
  return {
    children,
    output: () => output,
    stop: () =>
      Promise.all(
        children.map(
          (c) =>
            new Promise<number | null>((resolve) => {
              if (c.exitCode !== null) return resolve(c.exitCode);
              c.once('exit', (code) => resolve(code));
              c.kill('SIGTERM');
            }),
        ),
      ),
  };
}
