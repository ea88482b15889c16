import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from './service-process';

/**
 * What a bench run costs per job, measured from outside flowq: commands sent to Redis and
 * statements sent to Postgres (counted by a proxy that reads the wire protocols, so pipelined
 * Redis commands count one each and a Lua script counts once), Postgres transactions
 * (pg_stat_database), and the CPU time of every process involved (/proc/<pid>/stat).
 */

/** Counts the requests clients send through it: Redis commands (RESP arrays) or Postgres statements (Query and Execute messages). */
export interface CountingProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  /** Requests sent since start (or the last `reset`). */
  count(): number;
  /** The same requests by what they were: a Redis command's name (a script: `evalsha` and its first key, ids masked), a Postgres statement's first words. */
  breakdown(): Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

type Counter = (chunk: Buffer) => string[];

/** Ids and numbers out of a key or a statement, so the same kind of request groups together. */
function shapeOf(text: string): string {
  return text
    .replace(/\b(job|att|acc|img|bat|key|del|med)_[0-9a-z]+/g, '$1_*')
    .replace(/[0-9a-f]{16,}/g, '*')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\s+/g, ' ')
    .slice(0, 110);
}

/** RESP: each top-level `*<n>` array a client sends is one command (inline commands are one per line). */
function respCounter(): Counter {
  // State across chunks: bulk bytes still to skip, array elements still to read, a partial line.
  let skip = 0;
  let elements = 0;
  let line = '';
  // The first elements of the command being read (name, then a script's sha and first key).
  let parts: string[] = [];
  let wanted = 0;
  let bulk = '';
  const done: string[] = [];
  const finish = () => {
    const [name = '?', ...rest] = parts;
    const lower = name.toLowerCase();
    done.push(
      lower === 'evalsha' || lower === 'eval'
        ? `${lower} ${rest[0]?.slice(0, 6)} (${rest[1]} keys) ${shapeOf(rest[2] ?? '')} ${shapeOf(rest[3] ?? '')
            .split(':')
            .pop()}`
        : lower,
    );
    parts = [];
  };
  return (chunk) => {
    done.length = 0;
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const take = Math.min(skip, chunk.length - i);
        if (wanted > 0) bulk += chunk.toString('latin1', i, i + Math.min(take, Math.max(0, skip - 2)));
        skip -= take;
        i += take;
        if (skip === 0 && wanted > 0) {
          parts.push(bulk);
          bulk = '';
          wanted--;
          if (elements === 0) finish();
        } else if (skip === 0 && elements === 0 && parts.length > 0) finish();
        continue;
      }
      const nl = chunk.indexOf(10, i);
      if (nl < 0) {
        line += chunk.toString('latin1', i);
        break;
      }
      line += chunk.toString('latin1', i, nl);
      i = nl + 1;
      const text = line.replace(/\r$/, '');
      line = '';
      if (elements === 0) {
        if (text.startsWith('*')) {
          elements = Number(text.slice(1));
          parts = [];
          wanted = Math.min(elements, 5);
          if (elements === 0) finish();
        } else if (text.length > 0) {
          parts = [text.split(' ')[0] ?? '?'];
          finish();
        }
      } else if (text.startsWith('$')) {
        skip = Number(text.slice(1)) + 2;
        elements--;
        if (wanted === 0 && elements === 0 && skip === 0) finish();
      }
    }
    return [...done];
  };
}

/** Postgres frontend messages: an untyped start (SSL request, startup), then typed ones; each Query ('Q') or Execute ('E') is one statement. */
function postgresCounter(): Counter {
  let started = false;
  let pending = Buffer.alloc(0);
  let skip = 0;
  // Statement texts by prepared name ('' the unnamed one), and the statement the last Bind used.
  const statements = new Map<string, string>();
  let bound = '';
  return (chunk) => {
    const n: string[] = [];
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    let i = 0;
    for (;;) {
      if (skip > 0) {
        const take = Math.min(skip, buf.length - i);
        skip -= take;
        i += take;
        if (skip > 0) break;
      }
      if (!started) {
        if (buf.length - i < 8) break;
        const len = buf.readInt32BE(i);
        const code = buf.readInt32BE(i + 4);
        // SSLRequest / GSSENCRequest come before the startup message; anything else is the startup.
        if (code !== 80877103 && code !== 80877104) started = true;
        skip = len;
        continue;
      }
      if (buf.length - i < 5) break;
      const type = String.fromCharCode(buf[i]!);
      const len = buf.readInt32BE(i + 1);
      // The whole message is needed to read a Parse's text or a Bind's statement name.
      if ((type === 'P' || type === 'B' || type === 'Q') && buf.length - i < 1 + len) break;
      const body = buf.subarray(i + 5, i + 1 + len);
      if (type === 'P') {
        const nameEnd = body.indexOf(0);
        const textEnd = body.indexOf(0, nameEnd + 1);
        statements.set(body.toString('utf8', 0, nameEnd), body.toString('utf8', nameEnd + 1, textEnd));
      } else if (type === 'B') {
        const portalEnd = body.indexOf(0);
        bound = body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1));
      } else if (type === 'Q') n.push(shapeOf(body.toString('utf8', 0, body.length - 1)));
      else if (type === 'E') n.push(shapeOf(statements.get(bound) ?? `(prepared ${bound})`));
      skip = 1 + len;
    }
    if (i < buf.length) pending = Buffer.from(buf.subarray(i));
    buf = Buffer.alloc(0);
    return n;
  };
}

export async function startCountingProxy(target: { host: string; port: number }, protocol: 'redis' | 'postgres'): Promise<CountingProxy> {
  let total = 0;
  const byKind = new Map<string, number>();
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const count = protocol === 'redis' ? respCounter() : postgresCounter();
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      for (const kind of count(chunk)) {
        total++;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    rewrite(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    count: () => total,
    breakdown: () => new Map(byKind),
    reset() {
      total = 0;
      byKind.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a live process has used, in ms; 0 for a process that is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A Redis server of the run's own, so its command counts and CPU are the run's alone. */
export interface PrivateRedis {
  url: string;
  pid: number;
  /** `INFO commandstats` as command -> calls (script-internal calls included). */
  commandStats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; !(await listening(port)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
    await sleep(50);
  }
  const admin = new Redis(url, { maxRetriesPerRequest: 3 });
  return {
    url,
    pid: child.pid!,
    async commandStats() {
      const text = await admin.info('commandstats');
      const out: Record<string, number> = {};
      for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
      return out;
    },
    async stop() {
      admin.disconnect();
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}

/** Transactions committed or rolled back in one database, and the backends serving it now (pid -> CPU ms). */
export async function postgresActivity(adminUrl: string, database: string): Promise<{ transactions: number; backends: Map<number, number> }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Backends flush their counters at most once a second; ask for fresh numbers.
    await client.query('select pg_stat_clear_snapshot()');
    const tx = await client.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datname = $1', [database]);
    const pids = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    return { transactions: Number(tx.rows[0]?.n ?? 0), backends: new Map(pids.rows.map((r) => [r.pid, cpuMsOf(r.pid)])) };
  } finally {
    await client.end();
  }
}
