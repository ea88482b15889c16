import { IMAGE_REFERENCE_FIELDS } from './image-model-catalog';
import type { ImageType } from './image-type';
import { IMAGE_FIELDS } from './video-request';

/**
 * What a client put in an image field (`startImage`, `referenceImage_2`, `reference_1`, ...):
 * - `image`: one of flowq's own images (`img_…`, from `POST /v1/images` or a fetched URL),
 *   uploaded to whichever account takes the job, so the job is not pinned;
 * - `url`: an http(s) address flowq fetches once, at request time, and keeps as an image;
 * - `media`: a useapi mediaGenerationId, passed on as it is (it pins the account that owns it).
 */
export type ImageInput = { kind: 'image'; id: string } | { kind: 'url'; url: string } | { kind: 'media'; id: string };

export const IMAGE_ID_PATTERN = /^img_[0-9a-z]{22}$/;

export function isImageId(value: string): boolean {
  return IMAGE_ID_PATTERN.test(value);
}

/** Which of the three an image field's value is. A string that merely looks like a URL is one. */
export function classifyImageInput(value: string): ImageInput {
  if (IMAGE_ID_PATTERN.test(value)) return { kind: 'image', id: value };
  if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
  return { kind: 'media', id: value };
}

const EXTENSION: Record<ImageType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * Where an owner's image lives in the media store: named by its bytes' SHA-256, so the same
 * bytes uploaded twice by one key are one stored file.
 */
export function imageStorageKey(ownerKey: string, sha256: string, type: ImageType): string {
  return `images/${ownerKey}/${sha256}.${EXTENSION[type]}`;
}

/** Which fields of a job request of `kind` hold images: a video's frames and references, an image job's references; edits none. */
export function imageFieldsOf(kind: string): readonly string[] {
  if (kind === 'video') return IMAGE_FIELDS;
  if (kind === 'image') return IMAGE_REFERENCE_FIELDS;
  return [];
}
