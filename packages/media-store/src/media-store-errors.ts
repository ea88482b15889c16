import type { MediaContentType } from './content-sniff';

/** Why a put was refused. Nothing is stored when one of these is thrown. */
export class MediaRejectedError extends Error {
  constructor(
    readonly reason: 'unknown_type' | 'type_not_accepted' | 'too_large' | 'empty',
    message: string,
    readonly contentType?: MediaContentType,
  ) {
    super(message);
    this.name = 'MediaRejectedError';
  }
}

export class UnsafeKeyError extends Error {
  constructor(key: string) {
    super(`media key ${JSON.stringify(key.slice(0, 200))} is not a safe relative path`);
    this.name = 'UnsafeKeyError';
  }
}
