import { Readable, Transform } from 'node:stream';
import { IMAGE_CONTENT_TYPES, type MediaContentType, SNIFF_BYTES, sniffContentType } from './content-sniff';
import type { PutOptions } from './media-store';
import { MediaRejectedError } from './media-store-errors';
import { sha256OffThread } from './sha256-off-thread';

const ALL_TYPES: readonly MediaContentType[] = ['video/mp4', ...IMAGE_CONTENT_TYPES];

export interface Sniffed {
  contentType: MediaContentType;
  /** The bytes read to decide (no longer in the source): they come first when storing. */
  head: Buffer;
}

/**
 * Read just enough of `source` to know its type, refusing (and destroying the source) a type not
 * accepted before anything is written. The source is left paused after the head.
 */
export async function sniffHead(source: Readable, options: PutOptions = {}): Promise<Sniffed> {
  const accept = options.accept ?? ALL_TYPES;
  const head = await readHead(source, SNIFF_BYTES);
  if (head.length === 0) throw new MediaRejectedError('empty', 'the file is empty');
  const contentType = sniffContentType(head);
  if (!contentType) {
    source.destroy();
    throw new MediaRejectedError('unknown_type', 'the bytes are not an MP4, JPEG, PNG or WebP file');
  }
  if (!accept.includes(contentType)) {
    source.destroy();
    throw new MediaRejectedError('type_not_accepted', `the bytes are ${contentType}, expected ${accept.join(' or ')}`, contentType);
  }
  if (options.maxBytes !== undefined && head.length > options.maxBytes) {
    source.destroy();
    throw new MediaRejectedError('too_large', `the file is larger than ${options.maxBytes} bytes`, contentType);
  }
  // The consumer of the rest attaches its own listeners only after some awaits (opening the temp
  // file): a source failing meanwhile (a download cut right after its head) would be an uncaught
  // 'error' and kill the process. The consumer still sees the failure: the stream is errored.
  source.on('error', () => {});
  return { contentType, head };
}

/** Counts and hashes the bytes a put stores, refusing them past the size limit. */
export interface Meter {
  /** Throws MediaRejectedError('too_large') once the bytes taken pass `maxBytes`. */
  take(chunk: Buffer): void;
  /** The bytes taken and their SHA-256, once the last one is taken. */
  result(): Promise<{ bytes: number; sha256: string }>;
  /** The put failed: drop the hash. */
  abandon(): void;
}

export function createMeter(contentType: MediaContentType, maxBytes: number | undefined): Meter {
  const hash = sha256OffThread();
  let bytes = 0;
  return {
    take(chunk) {
      bytes += chunk.length;
      if (maxBytes !== undefined && bytes > maxBytes) throw new MediaRejectedError('too_large', `the file is larger than ${maxBytes} bytes`, contentType);
      hash.update(chunk);
    },
    async result() {
      return { bytes, sha256: await hash.digest() };
    },
    abandon: () => hash.abandon(),
  };
}

export interface Measured {
  contentType: MediaContentType;
  /** The whole input again (its head included), hashing and counting as it flows. */
  stream: Readable;
  /** Settles once `stream` has ended: the bytes that went through and their SHA-256. */
  done: Promise<{ bytes: number; sha256: string }>;
}

/**
 * For a consumer that needs a stream (the S3 upload): the sniffed source again, head first,
 * counted, hashed and size-limited on the way through. Nothing is held beyond one chunk.
 */
export async function measure(source: Readable, options: PutOptions = {}): Promise<Measured> {
  const { contentType, head } = await sniffHead(source, options);
  const meter = createMeter(contentType, options.maxBytes);
  let settle!: { resolve: (v: { bytes: number; sha256: string }) => void; reject: (e: unknown) => void };
  const done = new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {});
  let ended = false;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      try {
        meter.take(chunk);
      } catch (e) {
        callback(e as Error);
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      ended = true;
      meter.result().then(settle.resolve, settle.reject);
      callback();
    },
  });
  stream.on('error', (e) => settle.reject(e));
  // The head goes back in front of the rest: one pipe from the source, no extra stream between.
  // (A source that already ended, shorter than the head, cannot take it back: it flows alone.)
  const input = source.readableEnded ? Readable.from([head]) : source;
  if (input === source) source.unshift(head);
  input.on('error', (e) => stream.destroy(e));
  stream.on('close', () => {
    if (!source.readableEnded) source.destroy();
    if (ended) return; // its result comes from the meter
    meter.abandon();
    settle.reject(new Error('the stream closed before its end'));
  });
  input.pipe(stream);
  return { contentType, stream, done };
}

/** Reads up to `n` bytes from the start of `source` (fewer when it ends first), leaving it paused. */
async function readHead(source: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const chunk = source.read() as Buffer | string | null;
    if (chunk !== null) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      parts.push(buf);
      got += buf.length;
      continue;
    }
    if (source.readableEnded || source.destroyed) break;
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        off();
        resolve();
      };
      const fail = (e: unknown) => {
        off();
        reject(e);
      };
      const off = () => {
        source.off('readable', go).off('end', go).off('close', go).off('error', fail);
      };
      source.once('readable', go).once('end', go).once('close', go).once('error', fail);
    });
    if (source.errored) throw source.errored;
  }
  return Buffer.concat(parts);
}
