/**
 * flowq's closed error vocabulary. Every error that reaches a client is one of these:
 * a stable `code`, an HTTP `status`, and whether trying again may help.
 */
export abstract class FlowqError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly retryable: boolean = false;
  /** The request field at fault, when there is one. */
  readonly field?: string;

  constructor(message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    if (field !== undefined) this.field = field;
  }

  toJSON(): { code: string; message: string; field?: string } {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

export class ValidationError extends FlowqError {
  readonly code = 'validation_failed';
  readonly status = 400;
  constructor(
    message: string,
    field: string,
    readonly issues: { field: string; message: string }[] = [{ field, message }],
  ) {
    super(message, field);
  }
}

export class UnauthorizedError extends FlowqError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

export class ForbiddenError extends FlowqError {
  readonly code = 'forbidden';
  readonly status = 403;
}

export class NotFoundError extends FlowqError {
  readonly code = 'not_found';
  readonly status = 404;
}

/** One bad row of an upload: its 1-based data row, the column at fault, why. */
export interface RowIssue {
  row: number;
  column: string;
  message: string;
}

/** The most row problems an answer (or a batch record) lists; `total` still counts them all. */
export const MAX_LISTED_ROW_ERRORS = 1_000;

/** An upload whose rows broke the job rules: 422 listing the first 1,000 problems and how many rows were bad. */
export class InvalidRowsError extends FlowqError {
  readonly code = 'invalid_rows';
  readonly status = 422;
  constructor(
    message: string,
    field: string,
    readonly rows: RowIssue[],
    readonly total: number,
  ) {
    super(message, field);
  }

  override toJSON() {
    return { ...super.toJSON(), rows: this.rows, total: this.total };
  }
}

/** A file flowq kept once and has since deleted (MEDIA_RETENTION_DAYS). */
export class MediaExpiredError extends FlowqError {
  readonly code = 'media_expired';
  readonly status = 410;
}

/** A byte range that starts past the end of the file. */
export class RangeNotSatisfiableError extends FlowqError {
  readonly code = 'range_not_satisfiable';
  readonly status = 416;
}

export class ConflictError extends FlowqError {
  readonly code = 'conflict';
  readonly status = 409;
}

export class PayloadTooLargeError extends FlowqError {
  readonly code = 'payload_too_large';
  readonly status = 413;
}

export class ServiceUnavailableError extends FlowqError {
  override readonly retryable = true;
  readonly status = 503;
  constructor(
    readonly code: 'database_unavailable' | 'queue_unavailable' | 'service_unavailable' | 'media_store_unavailable',
    message: string,
  ) {
    super(message);
  }
}

export class UnsupportedMediaTypeError extends FlowqError {
  readonly code = 'unsupported_media_type';
  readonly status = 415;
}

export class UriTooLongError extends FlowqError {
  readonly code = 'uri_too_long';
  readonly status = 414;
}

/** An input flowq had to fetch (an image URL) that could not be read or was not what it must be. */
export class UnprocessableInputError extends FlowqError {
  readonly code = 'input_unprocessable';
  readonly status = 422;
}
