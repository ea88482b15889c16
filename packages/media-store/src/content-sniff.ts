/** The media types flowq stores, recognised by their first bytes (never by a header or a file name). */
export type MediaContentType = 'video/mp4' | 'image/jpeg' | 'image/png' | 'image/webp';

/** How many leading bytes `sniffContentType` needs to decide. */
export const SNIFF_BYTES = 16;

const ascii = (bytes: Uint8Array, from: number, text: string) => {
  if (bytes.length < from + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return true;
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The type a file's first bytes say it is, or undefined when they match none flowq keeps.
 * MP4 (ISO BMFF) opens with a box whose type at offset 4 is `ftyp`; JPEG with FF D8 FF;
 * PNG with its 8-byte signature; WebP with a RIFF container whose form type is `WEBP`.
 */
export function sniffContentType(head: Uint8Array): MediaContentType | undefined {
  if (ascii(head, 4, 'ftyp')) return 'video/mp4';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && PNG_SIGNATURE.every((b, i) => head[i] === b)) return 'image/png';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  return undefined;
}

export const IMAGE_CONTENT_TYPES: readonly MediaContentType[] = ['image/jpeg', 'image/png', 'image/webp'];
