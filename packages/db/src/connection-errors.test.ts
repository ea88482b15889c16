import { describe, expect, it } from 'vitest';
import { createDatabase } from './client';
import { isDatabaseUnavailable } from './connection-errors';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['reset', pgError('ECONNRESET')],
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['cannot connect now', pgError('57P03', 'the database system is starting up')],
    ['connection failure', pgError('08006')],
    ['dropped socket', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['query on a closed client', new Error('Client was closed and is not queryable')],
    ['wrapped by drizzle', Object.assign(new Error('Failed query: select 1'), { cause: pgError('ECONNREFUSED') })],
    ['dual-stack connect', Object.assign(new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')]), { code: undefined })],
  ])('%s is unavailability', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['syntax error', pgError('42601', 'syntax error at or near')],
    ['wrapped query error', Object.assign(new Error('Failed query'), { cause: pgError('22P02', 'invalid input syntax') })],
    ['plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s is not', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('recognises what a real pool throws when nothing listens', async () => {
    const database = createDatabase('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const err = await database.pool.query('select 1').catch((e: unknown) => e);
    await database.close();
    expect(isDatabaseUnavailable(err)).toBe(true);
  });
});
