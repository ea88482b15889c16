import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsTooDeep, unstorableInput } from './input-guard';

describe('unstorableInput', () => {
  it('walks a 2-million-element array and names only the bad element (was an entry and a path string per element: 1.2 GB for a 10 MB body)', () => {
    const items: unknown[] = new Array(2_000_000).fill(0);
    expect(unstorableInput({ items })).toBeNull();
    items[1_999_999] = { prompt: 'a\u0000b' };
    expect(unstorableInput({ items })).toEqual({ field: 'items.1999999.prompt', message: 'must not contain NUL (U+0000) characters' });
  });

  it('names the path with a root, the first bad element in order, keys and depth', () => {
    expect(unstorableInput({ a: ['ok', '\udfff'], b: '\u0000' }, 'body')).toEqual({
      field: 'body.a.1',
      message: 'must be valid Unicode (it holds a lone surrogate)',
    });
    expect(unstorableInput({ x: { 'k\u0000': 1 } })).toEqual({ field: 'x', message: 'must not have a key with NUL characters or lone surrogates' });
    expect(unstorableInput('\u0000')).toEqual({ field: 'body', message: 'must not contain NUL (U+0000) characters' });
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(unstorableInput(deep)).toBeNull();
    expect(unstorableInput([deep])).toMatchObject({ message: `is nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(unstorableInput({ a: [1, 'fine', { b: null }], c: '\ud83d\ude00' })).toBeNull();
  });
});

describe('nestsTooDeep', () => {
  it('refuses 1 MB of brackets on the text, before JSON.parse builds half a million arrays (was seconds of CPU per request)', () => {
    expect(nestsTooDeep(`{"prompt":"p","metadata":${'['.repeat(524_000)}${']'.repeat(524_000)}}`)).toBe(true);
    expect(nestsTooDeep(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBe(false);
    expect(nestsTooDeep(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(true);
    // Brackets inside strings, escaped quotes included, are text.
    expect(nestsTooDeep(JSON.stringify({ prompt: `\\" ${'['.repeat(500)}` }))).toBe(false);
  });
});
