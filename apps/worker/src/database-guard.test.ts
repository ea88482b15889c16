import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@flowq/config';
import { describe, expect, it } from 'vitest';
import { createDatabaseGuard } from './database-guard';

function harness(failPings: number) {
  const calls: string[] = [];
  let pings = 0;
  const guard = createDatabaseGuard({
    ping: async () => {
      pings++;
      if (pings <= failPings) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    },
    pause: async () => void calls.push('pause'),
    resume: async () => void calls.push('resume'),
    logger: createLogger('silent'),
    probeMs: 10,
  });
  return { guard, calls, pings: () => pings };
}

describe('database guard', () => {
  it('pauses once on a lost connection, probes until Postgres answers, then resumes', async () => {
    const { guard, calls, pings } = harness(3);
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), {});
    expect(guard.noteError(lost)).toBe(true);
    expect(guard.noteError(lost)).toBe(true);
    expect(guard.down).toBe(true);
    for (let i = 0; i < 100 && guard.down; i++) await sleep(10);
    expect(guard.down).toBe(false);
    expect(calls).toEqual(['pause', 'resume']);
    expect(pings()).toBe(4);
    guard.stop();
  });

  it('leaves other errors to the caller and does not pause for them', async () => {
    const { guard, calls } = harness(0);
    expect(guard.noteError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(guard.noteError(new Error('boom'))).toBe(false);
    await sleep(30);
    expect(calls).toEqual([]);
    guard.stop();
  });
});
