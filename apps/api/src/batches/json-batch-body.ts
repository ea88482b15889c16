import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { PayloadTooLargeError, ValidationError } from '@flowq/core';
import { assertStorable, MAX_JSON_DEPTH } from '../plugins/input-guard';
import { ChunkedBytes } from './chunked-bytes';

/** The most bytes one item (or one other top-level field) may take: what `POST /v1/jobs` accepts as a whole body. */
export const MAX_JSON_ITEM_BYTES = 1_048_576;
/** Bytes scanned between two turns of the event loop, so `/healthz` keeps answering during a 50 MB body. */
const SCAN_SLICE_BYTES = 2 * 1024 * 1024;
/** More top-level fields than this is not a batch body (it has three). */
const MAX_TOP_LEVEL_FIELDS = 16;

/** Where each part of a JSON batch body sits in its bytes: nothing is parsed yet. */
export interface JsonBatchLayout {
  body: ChunkedBytes;
  /** The top-level fields other than `items`, as byte ranges of their values. */
  fields: { key: string; start: number; end: number }[];
  /** The byte range of each element of `items` (null when the body has no `items` array). */
  items: { starts: number[]; ends: number[] } | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function notJson(why: string): ValidationError {
  return new ValidationError(`body: is not valid JSON (${why})`, 'body');
}

/**
 * Reads a JSON batch body `{ name?, defaults?, items: [...] }` and its shape in one pass over
 * its bytes as they arrive, building nothing per element: the cheap refusals (more than
 * `maxBytes`, more items than `maxRows`, an
 * item over MAX_JSON_ITEM_BYTES, nesting deeper than MAX_JSON_DEPTH) come before anything is
 * parsed, so the cost of a hostile body is a byte loop, not a heap of 25 million values. Items
 * are parsed one at a time afterwards (`parseItem`). The syntax inside each value is left to
 * JSON.parse of that value.
 */
export async function readJsonBatch(source: AsyncIterable<Buffer | string>, opts: { maxBytes: number; maxRows: number }): Promise<JsonBatchLayout> {
  const { maxRows } = opts;
  const body = new ChunkedBytes();
  const fields: JsonBatchLayout['fields'] = [];
  let items: JsonBatchLayout['items'] = null;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  /** At depth 1: expecting a key (after `{` or `,`), else inside a member. */
  let expectKey = false;
  let key: string | null = null;
  let valueStart = -1;
  let inItems = false;
  /** The items array has closed: only `,` or `}` may follow it. */
  let afterItems = false;
  let itemStart = -1;
  /** A comma ended the last item: `]` may not come next. */
  let itemsComma = false;
  let closed = false;
  let sawAnything = false;
  let nextYield = SCAN_SLICE_BYTES;

  const where = () => (inItems ? `items.${items!.starts.length - 1}` : (key ?? 'body'));
  const endMember = (end: number) => {
    if (key === null) return;
    if (key === 'items' && afterItems) afterItems = false;
    else {
      if (end - valueStart > MAX_JSON_ITEM_BYTES) throw new PayloadTooLargeError(`${key}: is larger than the limit of ${MAX_JSON_ITEM_BYTES} bytes`, key);
      if (fields.length >= MAX_TOP_LEVEL_FIELDS) throw new ValidationError('body: has too many fields', 'body');
      fields.push({ key, start: valueStart, end });
    }
    key = null;
  };
  const endItem = (end: number) => {
    const list = items!;
    const start = list.starts[list.starts.length - 1]!;
    if (end - start > MAX_JSON_ITEM_BYTES) {
      throw new PayloadTooLargeError(
        `items.${list.starts.length - 1}: is larger than the limit of ${MAX_JSON_ITEM_BYTES} bytes`,
        `items.${list.starts.length - 1}`,
      );
    }
    list.ends.push(end);
  };

  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const base = body.length;
    if (base + chunk.length > opts.maxBytes) throw new PayloadTooLargeError(`body: is larger than the limit of ${opts.maxBytes} bytes`, 'body');
    body.push(chunk);
    if (body.length >= nextYield) {
      nextYield += SCAN_SLICE_BYTES;
      await yieldToEventLoop();
    }
    for (let j = 0; j < chunk.length; j++) {
      const i = base + j;
      const c = chunk[j]!;
      // An item or a field growing past its limit is refused now (checked every 4 KB, strings
      // included), not when (if ever) it ends.
      if ((i & 0xfff) === 0) {
        if (itemStart !== -1 && i - itemStart > MAX_JSON_ITEM_BYTES) {
          const field = `items.${items!.starts.length - 1}`;
          throw new PayloadTooLargeError(`${field}: is larger than the limit of ${MAX_JSON_ITEM_BYTES} bytes`, field);
        }
        if (depth >= 1 && !inItems && !afterItems && key !== null && valueStart !== -1 && i - valueStart > MAX_JSON_ITEM_BYTES) {
          throw new PayloadTooLargeError(`${key}: is larger than the limit of ${MAX_JSON_ITEM_BYTES} bytes`, key);
        }
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 1 && expectKey) {
            if (i - stringStart > 256) throw new ValidationError('body: has a field name longer than 256 bytes', 'body');
            try {
              key = JSON.parse(body.text(stringStart, i + 1)) as string;
            } catch {
              throw notJson('a field name is not a valid string');
            }
            if (key === 'items' && items) throw new ValidationError('items: is given twice', 'items');
            expectKey = false;
            valueStart = -1;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      sawAnything = true;
      if (closed) throw notJson('there is more after the end of the object');
      if (depth === 0 && c !== OPEN_OBJECT) throw new ValidationError('body: must be a JSON object { items: [...] }', 'body');
      if (afterItems && c !== COMMA && c !== CLOSE_OBJECT) throw notJson('more after the items array');
      if (depth === 1 && !expectKey && key !== null && valueStart === -1 && c === COLON) {
        valueStart = i + 1;
        continue;
      }
      if (inItems && depth === 2 && itemStart === -1 && c !== CLOSE_ARRAY) {
        // The first byte of an element (or of a stray comma, which JSON.parse of the element refuses).
        if (items!.starts.length >= maxRows) throw new PayloadTooLargeError(`items: has more than the limit of ${maxRows} rows`, 'items');
        items!.starts.push(i);
        itemStart = i;
        itemsComma = false;
      }
      switch (c) {
        case QUOTE:
          inString = true;
          stringStart = i;
          if (depth === 1 && !expectKey && key === null) throw notJson('a value without a field name');
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (depth >= MAX_JSON_DEPTH) {
            const field = where();
            throw new ValidationError(`${field}: is nested deeper than ${MAX_JSON_DEPTH} levels`, field);
          }
          if (depth === 1 && key === 'items' && c === OPEN_ARRAY && valueStart !== -1 && !items) {
            items = { starts: [], ends: [] };
            inItems = true;
            itemStart = -1;
          }
          depth++;
          if (depth === 1) expectKey = true;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          if (depth === 0) throw notJson('a closing bracket without an opening one');
          if (inItems && depth === 2) {
            if (c !== CLOSE_ARRAY) throw notJson('the items array is not closed by "]"');
            if (itemsComma) throw notJson('a comma before the end of the items array');
            if (itemStart !== -1) endItem(i);
            itemStart = -1;
            inItems = false;
            afterItems = true;
          }
          depth--;
          if (depth === 0) {
            if (c !== CLOSE_OBJECT) throw notJson('the body object is not closed by "}"');
            if (key !== null && valueStart !== -1) endMember(i);
            else if (key !== null) throw notJson(`field "${key}" has no value`);
            closed = true;
          }
          break;
        case COMMA:
          if (depth === 1) {
            if (key === null || valueStart === -1) throw notJson('a comma where a field was expected');
            endMember(i);
            expectKey = true;
          } else if (inItems && depth === 2) {
            endItem(i);
            itemStart = -1;
            itemsComma = true;
          }
          break;
        default:
          if (depth === 1 && (expectKey || valueStart === -1)) throw notJson('a field name must be a quoted string followed by ":"');
      }
    }
  }
  if (!sawAnything) throw new ValidationError('body: is empty; send { items: [...] } or a CSV file', 'body');
  if (inString || depth > 0 || !closed) throw notJson('the body ends before its object does');
  return { body, fields, items };
}

/** One top-level field's value, parsed (at most MAX_JSON_ITEM_BYTES). */
export function parseField(layout: JsonBatchLayout, field: { key: string; start: number; end: number }): unknown {
  try {
    return JSON.parse(layout.body.text(field.start, field.end));
  } catch (err) {
    throw new ValidationError(`${field.key}: is not valid JSON (${(err as Error).message})`, field.key);
  }
}

/** Item `index` (0-based), parsed on its own. */
export function parseItem(layout: JsonBatchLayout, index: number): unknown {
  const items = layout.items!;
  try {
    return JSON.parse(layout.body.text(items.starts[index]!, items.ends[index]!));
  } catch (err) {
    throw new ValidationError(`items.${index}: is not valid JSON (${(err as Error).message})`, `items.${index}`);
  }
}

/** The top-level fields other than `items`, parsed and checked storable; `items: []` stands in for the array when there is one. */
export function jsonBatchHead(layout: JsonBatchLayout): Record<string, unknown> {
  const head: Record<string, unknown> = {};
  for (const field of layout.fields) {
    if (field.key === 'items' && layout.items) throw new ValidationError('items: is given twice', 'items');
    const value = parseField(layout, field);
    assertStorable(value, field.key);
    head[field.key] = value;
  }
  if (layout.items) head.items = [];
  return head;
}
