import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = fileURLToPath(new URL('../../apps/worker/src/main.ts', import.meta.url));
/** How long a worker may take to finish its steps and close after SIGTERM. */
const STOP_GRACE_MS = 30_000;

export interface WorkerProcesses {
  /** The live process in each position (a respawned one replaces the killed one). */
  children: ChildProcess[];
  /** What they wrote to stderr/stdout, for a failing test's message. */
  output(): string;
  /** Kills the process in position `index` with SIGKILL (no shutdown at all) and waits until it is gone. */
  kill(index: number): Promise<void>;
  /** Starts a new worker process in position `index` (after `kill`). */
  respawn(index: number): ChildProcess;
  /** SIGTERM each and wait for it to exit (SIGKILL after 30 s, recorded in `deaths`); resolves to the exit codes. */
  stop(): Promise<(number | null)[]>;
  /** Processes that exited without `kill` or `stop` asking them to (a crash), or ignored `stop`'s SIGTERM. */
  deaths(): string[];
}

/** Real, separate worker processes (as on several machines), joined to the same Postgres and Redis. */
export function spawnWorkers(count: number, env: Record<string, string>): WorkerProcesses {
  let output = '';
  let generation = 0;
  let stopping = false;
  const asked = new WeakSet<ChildProcess>();
  const deaths: string[] = [];
  const start = (i: number) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      env: { ...process.env, ...env, LOG_LEVEL: env.LOG_LEVEL === 'silent' ? 'warn' : (env.LOG_LEVEL ?? 'warn') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tag = `[worker ${i}.${generation++}] `;
    const write = (chunk: Buffer) => (output += `${tag}${chunk.toString()}`);
    child.stdout!.on('data', write);
    child.stderr!.on('data', write);
    child.once('exit', (code, signal) => {
      if (!stopping && !asked.has(child)) deaths.push(`${tag.trim()} exited by itself (${signal ?? `code ${code}`})`);
    });
    return child;
  };
  const children = Array.from({ length: count }, (_, i) => start(i));
  const exited = (c: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve(c.exitCode);
      c.once('exit', (code) => resolve(code));
    });
  return {
    children,
    output: () => output,
    async kill(index) {
      const child = children[index]!;
      const gone = exited(child);
      asked.add(child);
      child.kill('SIGKILL');
      await gone;
    },
    respawn(index) {
      children[index] = start(index);
      return children[index]!;
    },
    deaths: () => [...deaths],
    stop: () => {
      stopping = true;
      return Promise.all(
        children.map(async (c, i) => {
          const gone = exited(c);
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
          // A worker that ignores SIGTERM would hang a deploy: killed here and named, not waited for forever.
          const late = setTimeout(() => {
            deaths.push(`[worker ${i}] did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM (killed)`);
            c.kill('SIGKILL');
          }, STOP_GRACE_MS);
          try {
            return await gone;
          } finally {
            clearTimeout(late);
          }
        }),
      );
    },
  };
}
