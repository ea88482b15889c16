import { describe, expect, it } from 'vitest';
import { ChunkedBytes } from './chunked-bytes';

describe('ChunkedBytes', () => {
  // "héllo wörld" with its two-byte characters split across chunk boundaries.
  const text = 'héllo wörld';
  const whole = Buffer.from(text);
  const bytes = new ChunkedBytes();
  for (const [a, b] of [
    [0, 2],
    [2, 3],
    [3, 8],
    [8, whole.length],
  ] as const)
    bytes.push(whole.subarray(a, b));

  it.each([
    ['inside one chunk', 3, 8],
    ['across a split two-byte character', 1, 3],
    ['across every chunk', 0, whole.length],
    ['from a chunk start to the end', 8, whole.length],
    ['an empty range', 4, 4],
  ])('reads %s as the joined body would', (_, start, end) => {
    expect(bytes.text(start, end)).toBe(whole.toString('utf8', start, end));
  });

  it('counts every byte pushed', () => {
    expect(bytes.length).toBe(whole.length);
  });
});
