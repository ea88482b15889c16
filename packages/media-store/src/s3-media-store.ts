import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { assertSafeKey, assertSafePrefix } from './media-key';
import type { ByteRange, MediaStore, ObjectInfo, ObjectRead, PutOptions, StoredObject } from './media-store';
import { measure } from './measured-stream';

export interface S3MediaStoreOptions {
  bucket: string;
  /** For MinIO, R2 and other S3-compatible services; unset = AWS S3. */
  endpoint?: string;
  region: string;
  /** Unset = the SDK's default credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `https://host/bucket/key` rather than `https://bucket.host/key` (MinIO and most self-hosted servers). */
  forcePathStyle: boolean;
  /** Prefix of every key in the bucket, so one bucket can hold several flowq installs. */
  keyPrefix?: string;
}

// Parts are buffered in memory while they upload: at most PART_SIZE x QUEUE_SIZE per put.
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

/**
 * An S3-compatible bucket. Puts stream through a multipart upload (lib-storage), which makes the
 * object visible only once it completes; a failed or killed upload leaves no object, and the
 * SDK aborts its parts (a bucket lifecycle rule for incomplete uploads cleans up after a kill).
 */
export function createS3MediaStore(options: S3MediaStoreOptions): MediaStore {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Checksums only where S3 requires them: many S3-compatible servers do not understand the
    // streaming trailer checksums newer SDKs send by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;
  const prefix = options.keyPrefix ?? '';
  const objectKey = (key: string) => prefix + assertSafeKey(key);

  return {
    driver: 's3',

    async put(key: string, body: Readable, putOptions?: PutOptions): Promise<StoredObject> {
      const Key = objectKey(key);
      const measured = await measure(body, putOptions);
      const upload = new Upload({
        client,
        params: { Bucket, Key, Body: measured.stream, ContentType: measured.contentType },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (e) {
        measured.stream.destroy();
        throw e;
      }
      const { bytes, sha256 } = await measured.done;
      return { key, bytes, sha256, contentType: measured.contentType };
    },

    async get(key: string, range?: ByteRange): Promise<ObjectRead | null> {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
        const body = out.Body as Readable;
        const total = range ? Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1] ?? Number.NaN) : Number(out.ContentLength);
        return range ? { body, bytes: total, range } : { body, bytes: total };
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }));
        return { key, bytes: Number(out.ContentLength ?? 0), modifiedAt: out.LastModified ?? new Date(0) };
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },

    async delete(key: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },

    async *list(keyPrefix: string): AsyncIterable<ObjectInfo> {
      assertSafePrefix(keyPrefix);
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix + keyPrefix, ContinuationToken }));
        for (const item of page.Contents ?? []) {
          if (!item.Key) continue;
          yield { key: item.Key.slice(prefix.length), bytes: Number(item.Size ?? 0), modifiedAt: item.LastModified ?? new Date(0) };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },

    async presignedUrl(key: string, expiresInSeconds: number, downloadName?: string): Promise<string> {
      const command = new GetObjectCommand({
        Bucket,
        Key: objectKey(key),
        ...(downloadName ? { ResponseContentDisposition: `inline; filename="${downloadName.replace(/[^A-Za-z0-9._-]/g, '_')}"` } : {}),
      });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
    },

    async close(): Promise<void> {
      client.destroy();
    },
  };
}

function isNotFound(e: unknown): boolean {
  if (e instanceof S3ServiceException) return e.$metadata.httpStatusCode === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound';
  return false;
}
