import type { Readable } from 'node:stream';
import type { MediaContentType } from './content-sniff';

/**
 * Glossary: a *key* names one stored file (`<owner>/<job>/<clip>.mp4`); a *driver* is where
 * files live (a local directory, an S3-compatible bucket). Every driver writes a file whole or
 * not at all: a reader never sees half of one.
 */

/** A byte range, both ends included (as in an HTTP `Range` header), already checked against the size. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  key: string;
  bytes: number;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
  contentType: MediaContentType;
}

export interface ObjectInfo {
  key: string;
  bytes: number;
  modifiedAt: Date;
}

export interface ObjectRead {
  body: Readable;
  /** Size of the whole file (not of the range). */
  bytes: number;
  range?: ByteRange;
}

export interface PutOptions {
  /** Types the bytes may be; anything else is refused and nothing is stored. Default: any known type. */
  accept?: readonly MediaContentType[];
  /** Refuse (and store nothing) beyond this many bytes. */
  maxBytes?: number;
}

export interface MediaStore {
  readonly driver: 'fs' | 's3';
  /** Stream `body` into `key`, replacing what was there only once every byte has arrived. */
  put(key: string, body: Readable, options?: PutOptions): Promise<StoredObject>;
  /** The file (or one range of it), or null when there is none. */
  get(key: string, range?: ByteRange): Promise<ObjectRead | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** A URL that serves the file without flowq for `expiresInSeconds` (S3 presigning); undefined when the driver has none. */
  presignedUrl(key: string, expiresInSeconds: number, downloadName?: string): Promise<string | undefined>;
  close(): Promise<void>;
}
