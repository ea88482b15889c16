import { PayloadTooLargeError } from '@flowq/core';

/** The widest CSV record accepted: the 13 request columns and plenty of metadata columns. */
export const MAX_CSV_COLUMNS = 256;
/**
 * The most bytes one CSV record may take: a 10,000-character prompt in 4-byte UTF-8 is
 * 40,000 bytes; the other cells and metadata fit many times over.
 */
export const MAX_CSV_RECORD_BYTES = 256 * 1024;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * `source` unchanged, refused (413 naming the row and the column) as soon as one record has
 * more than MAX_CSV_COLUMNS cells or more than MAX_CSV_RECORD_BYTES bytes: checked on the
 * bytes as they stream past, before csv-parse builds the record, so a row of 51 million empty
 * cells costs a byte loop, not an array of 51 million strings. Quoting as in RFC 4180 (a
 * doubled quote inside quotes toggles twice); blank lines are no record, as csv-parse skips them.
 * Row 0 is the header; data rows count from 1 as everywhere else.
 */
export async function* withinCsvShapeLimits(source: AsyncIterable<Buffer>, delimiter: string, field = 'file'): AsyncGenerator<Buffer> {
  const sep = delimiter.charCodeAt(0);
  let inQuotes = false;
  let inRecord = false;
  let row = -1;
  let column = 1;
  let recordBytes = 0;
  const where = () => (row === 0 ? 'the header' : `row ${row}`);
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (!inRecord) {
        if (c === CR || c === LF) continue;
        inRecord = true;
        row++;
        column = 1;
        recordBytes = 0;
      }
      if (++recordBytes > MAX_CSV_RECORD_BYTES) {
        throw new PayloadTooLargeError(
          `${field}: ${where()} is larger than the limit of ${MAX_CSV_RECORD_BYTES} bytes per record (at column ${column})`,
          field,
        );
      }
      if (c === QUOTE) inQuotes = !inQuotes;
      else if (inQuotes) continue;
      else if (c === sep) {
        if (++column > MAX_CSV_COLUMNS) {
          throw new PayloadTooLargeError(`${field}: ${where()} has more than the limit of ${MAX_CSV_COLUMNS} columns (column ${column})`, field);
        }
      } else if (c === CR || c === LF) inRecord = false;
    }
    yield chunk;
  }
}
