import { ValidationError } from '@flowq/core';
import type { FastifyRequest } from 'fastify';

/** Deeper JSON than this is refused before validation walks it (recursion in a validator could overflow). */
export const MAX_JSON_DEPTH = 64;

/** Half of a UTF-16 pair on its own: JSON can spell it (`"\\udfff"`), Postgres jsonb refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL (U+0000) characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it holds a lone surrogate)';
  return null;
}

/** One open container of the walk: its keys (objects) or null (arrays), and the child being visited. */
interface Frame {
  container: Record<string, unknown> | unknown[];
  keys: string[] | null;
  at: number;
}

/** The dotted path of the element being visited, built only for the one a problem is reported on. */
function pathOf(root: string, frames: readonly Frame[]): string {
  const parts = root ? [root] : [];
  for (const f of frames) parts.push(f.keys ? f.keys[f.at]! : String(f.at));
  return parts.join('.') || 'body';
}

/**
 * Where `value` holds something flowq cannot store: a U+0000 character or a lone surrogate
 * (Postgres text and jsonb refuse both, which would otherwise surface as a 500) or nesting deeper than
 * MAX_JSON_DEPTH. Walks depth-first with one frame per open container (memory grows with the
 * depth, at most MAX_JSON_DEPTH frames, never with the number of elements) and without recursion,
 * so no input can overflow the stack; a path is spelled out only for the element it reports.
 */
export function unstorableInput(value: unknown, root = ''): { field: string; message: string } | null {
  const frames: Frame[] = [];
  let current: unknown = value;
  for (;;) {
    if (typeof current === 'string') {
      const problem = stringProblem(current);
      if (problem) return { field: pathOf(root, frames), message: problem };
    } else if (current !== null && typeof current === 'object') {
      if (frames.length >= MAX_JSON_DEPTH) return { field: pathOf(root, frames), message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
      if (Array.isArray(current)) frames.push({ container: current, keys: null, at: -1 });
      else {
        const keys = Object.keys(current);
        for (const key of keys) {
          if (stringProblem(key)) return { field: pathOf(root, frames), message: 'must not have a key with NUL characters or lone surrogates' };
        }
        frames.push({ container: current as Record<string, unknown>, keys, at: -1 });
      }
    }
    // On to the next element: the next child of the innermost container that has one left.
    for (;;) {
      const frame = frames[frames.length - 1];
      if (!frame) return null;
      frame.at++;
      if (frame.keys) {
        if (frame.at < frame.keys.length) {
          current = (frame.container as Record<string, unknown>)[frame.keys[frame.at]!];
          break;
        }
      } else if (frame.at < (frame.container as unknown[]).length) {
        current = (frame.container as unknown[])[frame.at];
        break;
      }
      frames.pop();
    }
  }
}

/**
 * Whether JSON text nests deeper than MAX_JSON_DEPTH, read on the text before it is parsed: a
 * 1 MB body of `[[[[...` would otherwise be built into half a million nested arrays (seconds
 * of CPU) only to be refused by the walk above.
 */
export function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (depth >= MAX_JSON_DEPTH) return true;
      depth++;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The JSON body parser of every route but the batch upload: Fastify's own (prototype poisoning
 * refused), after a cheap check of the nesting on the text.
 */
export function guardedJsonParser(parse: (req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void) {
  return (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (nestsTooDeep(text)) return done(new ValidationError(`body: is nested deeper than ${MAX_JSON_DEPTH} levels`, 'body'));
    parse(req, text, done);
  };
}

export function assertStorable(value: unknown, root = ''): void {
  const problem = unstorableInput(value, root);
  if (problem) throw new ValidationError(`${problem.field}: ${problem.message}`, problem.field);
}

/** A preValidation hook: path parameters, query and JSON body hold nothing Postgres would refuse. */
export async function inputGuard(req: FastifyRequest): Promise<void> {
  assertStorable(req.params);
  assertStorable(req.query);
  if (req.body !== null && typeof req.body === 'object' && typeof (req.body as { pipe?: unknown }).pipe !== 'function') assertStorable(req.body);
  else if (typeof req.body === 'string') assertStorable(req.body);
}

/** An uploaded file's bytes, refused at the first NUL byte: no CSV has one, and Postgres could not store it. */
export async function* withoutNulBytes(source: AsyncIterable<Buffer>, field = 'file'): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (chunk.includes(0)) throw new ValidationError(`${field}: is not a CSV file (it contains binary data)`, field);
    yield chunk;
  }
}
