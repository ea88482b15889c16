import net from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:PORT` of the proxy, to put into a connection URL instead of the real service's. */
  readonly host: string;
  readonly port: number;
  /** The URL `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  /** Destroys every open connection and refuses new ones (accepted, then dropped) until `restore`. */
  cut(): void;
  /** Stops listening altogether, as a stopped service: new connections are refused (ECONNREFUSED) until `restore`. */
  refuse(): Promise<void>;
  restore(): Promise<void> | void;
  readonly isCut: boolean;
  /** Connections accepted while up, since start. */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy between the system under test and a real Postgres or Redis, so a test can
 * take the service away from flowq (and give it back) without touching the machine's
 * service that other test files share. `responseDelayMs` holds every chunk from the target
 * that long (a slow network), e.g. to make callbacks overtake a submit's answer.
 */
export async function startTcpProxy(target: { host: string; port: number }, opts: { responseDelayMs?: number } = {}): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let isCut = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    const delay = opts.responseDelayMs ?? 0;
    if (delay > 0) {
      upstream.on('data', (chunk: Buffer) => {
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
        }, delay);
      });
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  let refused = false;
  const destroyAll = () => {
    for (const s of open) s.destroy();
    open.clear();
  };
  return {
    host: '127.0.0.1',
    port,
    rewrite(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      isCut = true;
      destroyAll();
    },
    async refuse() {
      refused = true;
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restore() {
      isCut = false;
      if (!refused) return;
      refused = false;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    get isCut() {
      return isCut;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      isCut = true;
      destroyAll();
      if (!refused) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Host and port of a service URL (`postgres://...`, `redis://...`). */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : defaultPort };
}
