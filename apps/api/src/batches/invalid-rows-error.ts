import { FlowqError } from '@flowq/core';
import type { RowIssue } from './row-validation';

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
