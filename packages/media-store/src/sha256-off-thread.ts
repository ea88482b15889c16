import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of a stream's bytes computed on a worker thread: on the event loop it costs about a
 * quarter of an archive copy's time (bench archive profile), while handing the bytes over is a
 * copy of each batch. Chunks are gathered into batches so a message carries a useful amount of work.
 */
export interface StreamHash {
  update(chunk: Uint8Array): void;
  /** The hex digest of every byte given to `update`. */
  digest(): Promise<string>;
  /** Forget this hash (the put failed): frees what the worker holds for it. */
  abandon(): void;
}

/**
 * Bytes gathered before they go to the worker in one message. Each message costs the event loop
 * about 90 us whatever its size (bench archive profile: 2.9 s of postMessage for 2,000 clips of
 * 4 MB at 256 KB), so batches are large; a put holds at most one batch.
 */
const BATCH_BYTES = 1024 * 1024;

// An eval'd script, not a file: the apps are bundled into one file each, and a worker file
// would need its own place in the bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  let hash = hashes.get(m.id);
  if (m.abandon) { hashes.delete(m.id); return; }
  if (!hash) { hash = createHash('sha256'); hashes.set(m.id, hash); }
  if (m.data) hash.update(new Uint8Array(m.data));
  if (m.end) { hashes.delete(m.id); parentPort.postMessage({ id: m.id, hex: hash.digest('hex') }); }
});
`;

type Waiter = { resolve: (hex: string) => void; reject: (e: unknown) => void };

interface HashWorker {
  worker: Worker;
  waiting: Map<number, Waiter>;
}

let current: HashWorker | undefined;
let nextId = 1;

/**
 * The process's hash worker, started on first use. It keeps the process alive only while a
 * digest is awaited (otherwise a script whose last work is that digest would exit first).
 */
function hashWorker(): HashWorker {
  if (current) return current;
  // Plain CommonJS whatever flags the process runs with (an inherited --input-type=module would make `require` fail).
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  const state: HashWorker = { worker, waiting: new Map() };
  worker.on('message', (m: { id: number; hex: string }) => {
    const waiter = state.waiting.get(m.id);
    state.waiting.delete(m.id);
    if (state.waiting.size === 0) worker.unref();
    waiter?.resolve(m.hex);
  });
  const fail = (e: unknown) => {
    if (current === state) current = undefined;
    for (const waiter of state.waiting.values()) waiter.reject(e);
    state.waiting.clear();
    worker.unref();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the hash worker exited (code ${code})`)));
  // After the listeners: adding a 'message' listener refs the worker again (Node 20).
  worker.unref();
  current = state;
  return state;
}

export function sha256OffThread(): StreamHash {
  const { worker, waiting } = hashWorker();
  const id = nextId++;
  let batch: Uint8Array[] = [];
  let batched = 0;
  let finished = false;
  const send = (end: boolean) => {
    // One fresh buffer per message (the chunks stay the caller's: they are being written too), moved, not copied again.
    const data = batched === 0 ? undefined : Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    // Buffer.concat of more than a few KB owns its whole ArrayBuffer, so moving it moves nothing else.
    const transfer = data && data.byteOffset === 0 && data.buffer.byteLength === data.length ? [data.buffer] : [];
    worker.postMessage({ id, data: data && (transfer.length ? data.buffer : data), end }, transfer as ArrayBuffer[]);
  };
  return {
    update(chunk) {
      if (finished) throw new Error('update after digest');
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH_BYTES) send(false);
    },
    digest() {
      finished = true;
      if (waiting.size === 0) worker.ref();
      const result = new Promise<string>((resolve, reject) => waiting.set(id, { resolve, reject }));
      send(true);
      return result;
    },
    abandon() {
      if (finished) return;
      finished = true;
      batch = [];
      worker.postMessage({ id, abandon: true });
    },
  };
}
