import { ValidationError } from '@flowq/core';
import type { FastifyRequest } from 'fastify';

/** Deeper JSON than this is refused before validation walks it (recursion in a validator could overflow). */
export const MAX_JSON_DEPTH = 64;

/** Half of a UTF-16 pair on its own: JSON can spell it (`"\\udfff"`), Postgres jsonb refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where `value` holds something flowq cannot store: a U+0000 character or a lone surrogate
 * (Postgres text and jsonb refuse both, which would otherwise surface as a 500) or nesting deeper than
 * MAX_JSON_DEPTH. Walks without recursion, so no input can overflow the stack.
 */
export function unstorableInput(value: unknown, root = ''): { field: string; message: string } | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { field: path || 'body', message: 'must not contain NUL (U+0000) characters' };
      if (LONE_SURROGATE.test(v)) return { field: path || 'body', message: 'must be valid Unicode (it holds a lone surrogate)' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { field: path || 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(v)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000') || LONE_SURROGATE.test(key))
        return { field: path || 'body', message: 'must not have a key with NUL characters or lone surrogates' };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
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
