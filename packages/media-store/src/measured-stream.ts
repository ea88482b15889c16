import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { IMAGE_CONTENT_TYPES, type MediaContentType, SNIFF_BYTES, sniffContentType } from './content-sniff';
import type { PutOptions } from './media-store';
import { MediaRejectedError } from './media-store-errors';

const ALL_TYPES: readonly MediaContentType[] = ['video/mp4', ...IMAGE_CONTENT_TYPES];

export interface Measured {
  contentType: MediaContentType;
  /** The whole input again (its head included), hashing and counting as it flows. */
  stream: Readable;
  /** Settles once `stream` has ended: the bytes that went through and their SHA-256. */
  done: Promise<{ bytes: number; sha256: string }>;
}

/**
 * Read just enough of `source` to know its type (refusing a type not accepted before anything
 * is written), then hand back a stream of all of it that hashes, counts and enforces the size
 * limit on the way through. Nothing is ever held in memory beyond one chunk.
 */
export async function measure(source: Readable, options: PutOptions = {}): Promise<Measured> {
  const accept = options.accept ?? ALL_TYPES;
  const first = await readHead(source, SNIFF_BYTES);
  if (first.length === 0) throw new MediaRejectedError('empty', 'the file is empty');
  const contentType = sniffContentType(first);
  if (!contentType) {
    source.destroy();
    throw new MediaRejectedError('unknown_type', 'the bytes are not an MP4, JPEG, PNG or WebP file');
  }
  if (!accept.includes(contentType)) {
    source.destroy();
    throw new MediaRejectedError('type_not_accepted', `the bytes are ${contentType}, expected ${accept.join(' or ')}`, contentType);
  }
  if (options.maxBytes !== undefined && first.length > options.maxBytes) {
    source.destroy();
    throw new MediaRejectedError('too_large', `the file is larger than ${options.maxBytes} bytes`, contentType);
  }

  const hash = createHash('sha256');
  let bytes = 0;
  let settle!: { resolve: (v: { bytes: number; sha256: string }) => void; reject: (e: unknown) => void };
  const done = new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {});
  const meter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      bytes += chunk.length;
      if (options.maxBytes !== undefined && bytes > options.maxBytes) {
        callback(new MediaRejectedError('too_large', `the file is larger than ${options.maxBytes} bytes`, contentType));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      settle.resolve({ bytes, sha256: hash.digest('hex') });
      callback();
    },
  });
  meter.on('error', (e) => settle.reject(e));

  // The head goes back in front of the rest: one pipe from the source, no extra stream between.
  // (A source that already ended, shorter than the head, cannot take it back: it flows alone.)
  const input = source.readableEnded ? Readable.from([first]) : source;
  if (input === source) source.unshift(first);
  input.on('error', (e) => meter.destroy(e));
  meter.on('close', () => {
    if (!source.readableEnded) source.destroy();
    settle.reject(new Error('the stream closed before its end')); // no-op once resolved
  });
  input.pipe(meter);
  return { contentType, stream: meter, done };
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
