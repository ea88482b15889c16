import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { createReachabilityLog, serviceAddress, ServiceUnreachableError, unreachableMessage } from './service-reachability';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {}, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe('service messages', () => {
  it.each([
    ['redis://127.0.0.1:6999', '127.0.0.1:6999'],
    ['redis://:secret@cache.internal', 'cache.internal:6379'],
    ['postgres://postgres:pw@db:5433/flowq', 'db:5433'],
    ['postgres://postgres@127.0.0.1/flowq', '127.0.0.1:5432'],
    ['not a url', '(unreadable URL)'],
  ])('%s is shown as %s', (url, address) => {
    expect(serviceAddress(url)).toBe(address);
  });

  it('names the service, the address and the fix, and never a password', () => {
    expect(unreachableMessage('Redis', 'redis://:pw@127.0.0.1:6999')).toBe(
      'Redis at 127.0.0.1:6999 is not reachable: start it or set REDIS_URL; see README (Quick start)',
    );
    const err = new ServiceUnreachableError('PostgreSQL', 'postgres://u:pw@127.0.0.1:5999/x', 30_000);
    expect(err.message).toBe('PostgreSQL at 127.0.0.1:5999 is not reachable: start it or set DATABASE_URL; see README (Quick start) (waited 30 s)');
  });
});

describe('createReachabilityLog', () => {
  it('logs an outage once, its recovery once, and the repeats only at debug', () => {
    const { logger, lines } = capture();
    let t = 0;
    const log = createReachabilityLog('Redis', 'redis://127.0.0.1:6999', logger, () => t);
    log.up();
    for (let i = 0; i < 66; i++) log.down(new Error('connect ECONNREFUSED 127.0.0.1:6999'));
    expect(log.isDown).toBe(true);
    t = 12_000;
    log.up();
    log.up();
    const loud = lines.filter((l) => (l.level as number) >= 30);
    expect(loud.map((l) => l.msg)).toEqual([
      'Redis at 127.0.0.1:6999 is not reachable: start it or set REDIS_URL; see README (Quick start)',
      'Redis at 127.0.0.1:6999 is reachable again',
    ]);
    expect(loud[1]!.downSeconds).toBe(12);
    expect(lines.some((l) => 'stack' in l || JSON.stringify(l).includes('    at '))).toBe(false);
  });
});
