import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  /** The bytes as received: what a signature is checked against. */
  raw: Buffer;
  at: number;
}

/**
 * A client's callback endpoint on a real port: records every POST and answers what the test
 * says (`answer`), or is taken down (connections refused) and brought back on the same port.
 */
export async function startCallbackReceiver() {
  const received: ReceivedCallback[] = [];
  let answer: (n: number) => number | 'hang' = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks), at: Date.now() });
      const code = answer(received.length);
      if (code === 'hang') return;
      res.statusCode = code;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/flowq`,
    received,
    answer(fn: (n: number) => number | 'hang') {
      answer = fn;
    },
    /** Refuses connections until `up()`. */
    async down() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type CallbackReceiver = Awaited<ReturnType<typeof startCallbackReceiver>>;
