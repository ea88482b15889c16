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
  const head: Buffer[] = [];
  let headBytes = 0;
  const iterator = source[Symbol.asyncIterator]();
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    headBytes += chunk.length;
  }
  if (headBytes === 0) throw new MediaRejectedError('empty', 'the file is empty');
  const first = Buffer.concat(head);
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

  // Re-join the head already read with the rest of the source; Readable.from keeps backpressure
  // and, when destroyed, ends the generator, which destroys the source.
  async function* whole() {
    try {
      yield first;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
    } finally {
      if (!source.readableEnded) source.destroy();
    }
  }
  const rejoined = Readable.from(whole(), { objectMode: false });
  rejoined.on('error', (e) => meter.destroy(e));
  meter.on('close', () => {
    if (!rejoined.readableEnded) rejoined.destroy();
    settle.reject(new Error('the stream closed before its end')); // no-op once resolved
  });
  rejoined.pipe(meter);
  return { contentType, stream: meter, done };
}
