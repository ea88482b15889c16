import { Readable } from 'node:stream';
import { classifyImageInput, imageFieldsOf, imageStorageKey, newId, NotFoundError, ServiceUnavailableError, type SsrfAllowList } from '@flowq/core';
import { findImage, findImageBySha, recordImage, type Db, type ImageRow } from '@flowq/db';
import type { MediaStore } from '@flowq/media-store';
import type { Agent } from 'undici';
import { imageFactsOf } from './image-bytes';
import { fetchImageUrl } from './image-url';

export interface ImageServiceDeps {
  db: Db;
  store: MediaStore;
  allow: SsrfAllowList;
  /** The SSRF-guarded agent every image URL is fetched through. */
  agent: Agent;
  /** Default IMAGE_FETCH_TIMEOUT_MS. */
  fetchTimeoutMs?: number;
}

/**
 * flowq's own images: kept in the media store once per owner and content, recorded in
 * Postgres, and what the image fields of a job request turn into (`img_…`).
 */
export function createImageService(deps: ImageServiceDeps) {
  const { db, store } = deps;

  /** Stores `bytes` as `owner`'s image (or answers the one with the same bytes); 400/413 naming `field`. */
  async function keep(owner: string, bytes: Buffer, field: string, sourceUrl: string | null = null): Promise<ImageRow> {
    const facts = imageFactsOf(bytes, field);
    const known = await findImageBySha(db, owner, facts.sha256);
    if (known) return known;
    const storageKey = imageStorageKey(owner, facts.sha256, facts.contentType);
    try {
      // The file is written whole before the row: a row always has its bytes.
      await store.put(storageKey, Readable.from([bytes]), { accept: [facts.contentType] });
    } catch (err) {
      throw new ServiceUnavailableError('media_store_unavailable', `The media store could not keep the image: ${(err as Error).message}`);
    }
    return recordImage(db, { id: newId('img'), ownerKey: owner, storageKey, sourceUrl, ...facts });
  }

  async function get(id: string, owner: string, field?: string): Promise<ImageRow> {
    const row = await findImage(db, id);
    // Another key's image is not found, so a key cannot learn which ids exist.
    if (!row || row.ownerKey !== owner) throw new NotFoundError(field ? `${field}: no image ${id}` : `Image ${id} not found`, field);
    return row;
  }

  /**
   * The request with each image field turned into what the worker needs: an `img_` id stays
   * (once it is found to be `owner`'s), a URL is fetched and kept, becoming an `img_` id, and a
   * mediaGenerationId stays as it is.
   */
  async function resolveFields<T extends Record<string, unknown>>(request: T, fields: readonly string[], owner: string): Promise<T> {
    const out: Record<string, unknown> = { ...request };
    for (const field of fields) {
      const value = out[field];
      if (typeof value !== 'string') continue;
      const input = classifyImageInput(value);
      if (input.kind === 'image') await get(input.id, owner, field);
      else if (input.kind === 'url') {
        const fetched = await fetchImageUrl(input.url, {
          field,
          allow: deps.allow,
          agent: deps.agent,
          ...(deps.fetchTimeoutMs ? { timeoutMs: deps.fetchTimeoutMs } : {}),
        });
        out[field] = (await keep(owner, fetched.bytes, field, fetched.url)).id;
      }
    }
    return out as T;
  }

  return {
    keep,
    get,
    resolveFields,

    /** A job request of `kind` with its image fields resolved (video: frames and references; image: references; edits have none). */
    resolveJobImages<T extends object>(kind: string, request: T, owner: string): Promise<T> {
      const fields = imageFieldsOf(kind);
      return fields.length === 0 ? Promise.resolve(request) : (resolveFields(request as Record<string, unknown>, fields, owner) as Promise<T>);
    },
  };
}

export type ImageService = ReturnType<typeof createImageService>;
