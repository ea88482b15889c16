import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLargeError, ValidationError } from '@flowq/core';
import { CsvError, parse } from 'csv-parse';
import { MAX_CSV_RECORD_BYTES, withinCsvShapeLimits } from './csv-shape-limits';
import { detectDelimiter, type CsvDelimiter } from './detect-delimiter';
import { mapHeader, rowFromRecord, type RawBatchRow } from './row-fields';

/** How much of the file is read before its delimiter is decided: the header line must fit. */
const HEAD_BYTES = 64 * 1024;

function looksBinary(head: Buffer): string | null {
  if (head.includes(0)) return 'it contains binary data';
  try {
    // A multi-byte character may be cut at the end of the sample: stream mode leaves an
    // incomplete sequence pending instead of calling it invalid.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return 'it is not UTF-8 text';
  }
  return null;
}

/**
 * Streams the rows of an uploaded CSV file without holding it: the body is counted (413 past
 * `maxBytes`), sniffed for binary content, its delimiter detected from the header line
 * unless given, held to MAX_CSV_COLUMNS cells and MAX_CSV_RECORD_BYTES bytes per record
 * (csv-shape-limits.ts) and parsed by csv-parse (RFC 4180 quoting, BOM, CRLF). Empty files, files
 * without a prompt column and files that are not CSV are a 400 saying which.
 */
export async function* csvRows(source: AsyncIterable<Buffer | string>, opts: { maxBytes: number; delimiter?: CsvDelimiter }): AsyncGenerator<RawBatchRow> {
  const iterator = source[Symbol.asyncIterator]();
  let bytes = 0;
  const count = (chunk: Buffer | string): Buffer => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > opts.maxBytes) throw new PayloadTooLargeError(`file: is larger than the limit of ${opts.maxBytes} bytes`, 'file');
    return buf;
  };

  const headChunks: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const buf = count(next.value);
    headChunks.push(buf);
    headLength += buf.length;
    if (buf.includes(10)) break;
  }
  const head = Buffer.concat(headChunks);
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new ValidationError('file: is empty', 'file');
  const binary = looksBinary(head);
  if (binary) throw new ValidationError(`file: is not a CSV file (${binary})`, 'file');
  const delimiter = opts.delimiter ?? detectDelimiter(text.split(/\r?\n/, 1)[0]!);

  async function* body(): AsyncGenerator<Buffer> {
    yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield count(next.value);
    }
  }

  const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_CSV_RECORD_BYTES });
  const feeding = pipeline(Readable.from(withinCsvShapeLimits(body(), delimiter)), parser);
  // The for-await below sees every error (the parser is destroyed with it); this only avoids an unhandled rejection.
  feeding.catch(() => undefined);
  try {
    let map: ReturnType<typeof mapHeader> | undefined;
    let row = 0;
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!map) {
        map = mapHeader(record);
        continue;
      }
      row++;
      yield rowFromRecord(map, record, row);
    }
    await feeding;
    if (!map) throw new ValidationError('file: is empty', 'file');
  } catch (err) {
    if (err instanceof CsvError) throw new ValidationError(`file: is not valid CSV (${err.message})`, 'file');
    throw err;
  } finally {
    parser.destroy();
  }
}
