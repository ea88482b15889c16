import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Text that breaks parsers: CSV and JSON punctuation, control characters (NUL, CR, LF, tab,
 * DEL, escape), a BOM, quotes of other scripts, lone surrogates, emoji and right-to-left text.
 */
export const hostileChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(',', ';', '\t', '"', '""', '\r\n', '\n', '\r', ' ', '\\', '{', '}', '[', ']', ':', '=') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u2028', '\uFEFF', '\uD800', '\uDFFF', '“', '”', '🎬', '\u202E', 'é'),
  },
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
);

export const hostileString = (maxLength = 40) => fc.array(hostileChar, { maxLength }).map((parts) => parts.join(''));

/** Mostly ordinary text (any Unicode) with hostile pieces now and then: gets past the first check more often. */
export const mostlyText = (maxLength = 40) =>
  fc
    .array(fc.oneof({ weight: 8, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) }, { weight: 1, arbitrary: hostileChar }), {
      maxLength,
    })
    .map((parts) => parts.join(''));

/** A very long string (kilobytes to a few hundred), built cheaply from a repeated piece. */
export const hugeString = fc.tuple(hostileString(6), fc.integer({ min: 1_000, max: 5_000 })).map(([piece, times]) => (piece || 'x').repeat(times));

/** Invalid UTF-8 and other raw bytes: stray continuation bytes, overlongs, truncated sequences. */
export const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xe2, 0x82, 0xf0, 0xf8, 0xff, 0xfe, 0x00, 0x22, 0x2c, 0x0a), { maxLength: 100 })
    .map((b) => Uint8Array.from(b)),
);

/** Values of every JSON type, with the hostile strings above as strings and keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
    hostileString(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString(8), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** An answer, or a 599 "no answer" after `ms`: a request left hanging is a failure like a 5xx. */
export function withDeadline<T extends { statusCode: number; body: string }>(
  pending: Promise<T>,
  ms = 8_000,
): Promise<T | { statusCode: number; body: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ statusCode: number; body: string }>((resolve) => {
    timer = setTimeout(() => resolve({ statusCode: 599, body: `no answer within ${ms} ms` }), ms);
  });
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}

/** Counts inputs tried and fails on any 5xx, naming the input. */
export class Tally {
  readonly counts = new Map<string, number>();
  /** Answers by status, to see that inputs get past the first check (not all 400). */
  readonly statuses = new Map<string, number>();

  check(target: string, res: { statusCode: number; body: string }, input: unknown): void {
    this.counts.set(target, (this.counts.get(target) ?? 0) + 1);
    this.statuses.set(`${target} ${res.statusCode}`, (this.statuses.get(`${target} ${res.statusCode}`) ?? 0) + 1);
    if (res.statusCode >= 500) expect.fail(`${target} answered ${res.statusCode} ${res.body.slice(0, 300)} to ${JSON.stringify(input)?.slice(0, 300)}`);
    expect(res.statusCode, target).toBeGreaterThanOrEqual(200);
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  report(title: string): string {
    const statuses = [...this.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
    return `${title}: ${[...this.counts].map(([t, n]) => `${t} ${n}`).join(', ')}; total ${this.total()}\n  answers: ${statuses.join(', ')}`;
  }
}

/** Fails the test if anything escaped to the process while fuzzing. */
export function watchProcess(): { escaped: unknown[]; stop(): void } {
  const escaped: unknown[] = [];
  const onError = (err: unknown) => escaped.push(err);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    escaped,
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}
