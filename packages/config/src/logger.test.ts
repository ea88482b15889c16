import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pretty from 'pino-pretty';
import { createLogger, wantsPrettyLogs } from './logger';

describe('wantsPrettyLogs', () => {
  it.each([
    ['auto', true, true],
    ['auto', false, false],
    ['pretty', false, true],
    ['json', true, false],
  ] as const)('format %s, terminal %s: pretty %s', (format, tty, expected) => {
    expect(wantsPrettyLogs(format, tty)).toBe(expected);
  });
});

describe('pretty logs', () => {
  it('print a readable line and still redact secrets', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const logger = createLogger('info', { name: 'flowq' }, pretty({ destination: sink, colorize: false, sync: true }));
    logger.info({ token: 'sk-very-secret', account: 'a@b.c' }, 'flowq is up');
    expect(out).toContain('INFO');
    expect(out).toContain('flowq is up');
    expect(out).toContain('a@b.c');
    expect(out).not.toContain('sk-very-secret');
    expect(out).not.toMatch(/^\{/);
  });
});
