import { Writable } from 'node:stream';
import { createLogger } from '@flowq/config';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { lazyChildLogger } from './lazy-child-logger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(level, {}, stream);
  const child = vi.spyOn(logger, 'child');
  return { logger: logger as unknown as FastifyBaseLogger, lines, child };
}

// Each case: the parent's level, what the request's logger is asked to do, the lines written and whether a child was made.
const cases: { name: string; level: string; act: (log: FastifyBaseLogger) => void; lines: Record<string, unknown>[]; made: boolean }[] = [
  { name: 'nothing logged: no child made', level: 'warn', act: () => undefined, lines: [], made: false },
  { name: 'below the level: no line, no child', level: 'warn', act: (log) => log.info('quiet'), lines: [], made: false },
  { name: 'debug below info: no line, no child', level: 'info', act: (log) => log.debug('quiet'), lines: [], made: false },
  {
    name: 'at the level: the line, with the bindings',
    level: 'warn',
    act: (log) => log.warn('loud'),
    lines: [{ reqId: 'req-1', msg: 'loud', level: 40 }],
    made: true,
  },
  {
    name: 'an object and a message, secrets still redacted',
    level: 'info',
    act: (log) => log.error({ authorization: 'Bearer secret', jobId: 'job_1' }, 'failed'),
    lines: [{ reqId: 'req-1', authorization: '[redacted]', jobId: 'job_1', msg: 'failed', level: 50 }],
    made: true,
  },
  {
    name: 'a grandchild carries both bindings',
    level: 'info',
    act: (log) => log.child({ component: 'x' }).info('hi'),
    lines: [{ reqId: 'req-1', component: 'x', msg: 'hi', level: 30 }],
    made: true,
  },
];

describe('lazyChildLogger', () => {
  it.each(cases)('$name', ({ level, act, lines, made }) => {
    const parent = capture(level);
    act(lazyChildLogger(parent.logger, { reqId: 'req-1' }, {}));
    expect(parent.lines).toEqual(lines.map((l) => expect.objectContaining(l)));
    expect(parent.child.mock.calls.length > 0).toBe(made);
  });

  it("answers the parent's level until a child is made, then the child's", () => {
    const parent = capture('warn');
    const log = lazyChildLogger(parent.logger, { reqId: 'req-1' }, {});
    expect(log.level).toBe('warn');
    log.level = 'debug';
    expect(log.level).toBe('debug');
    log.debug('now written');
    expect(parent.lines).toEqual([expect.objectContaining({ reqId: 'req-1', msg: 'now written' })]);
  });

  it('a route with its own log level gets its child at once, at that level', () => {
    const parent = capture('warn');
    const log = lazyChildLogger(parent.logger, { reqId: 'req-1' }, { level: 'info' });
    expect(parent.child).toHaveBeenCalledOnce();
    log.info('written at the route level');
    expect(parent.lines).toEqual([expect.objectContaining({ msg: 'written at the route level' })]);
  });

  it('in Fastify: a request that logs nothing makes no child logger; one that logs writes its reqId', async () => {
    const parent = capture('warn');
    const app = Fastify({ loggerInstance: parent.logger, childLoggerFactory: lazyChildLogger, disableRequestLogging: true });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (req) => {
      req.log.warn('something worth a line');
      return { ok: true };
    });
    await app.ready();
    parent.child.mockClear();
    expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(parent.child).not.toHaveBeenCalled();
    expect((await app.inject({ url: '/loud' })).statusCode).toBe(200);
    expect(parent.lines).toEqual([expect.objectContaining({ reqId: 'req-2', msg: 'something worth a line' })]);
    await app.close();
  });
});
