import { describe, expect, it } from 'vitest';
import { isRedisConnectionError } from './connection';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isRedisConnectionError', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:6999', 'ECONNREFUSED'), true],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET'), true],
    // A Lua call written into a socket the proxy just closed: an outage, not a refused command.
    ['broken pipe', withCode('write EPIPE', 'EPIPE'), true],
    ['closed', new Error('Connection is closed.'), true],
    ['a command Redis refused', new Error('ERR wrong number of arguments for command'), false],
    ['a script error', new Error('ERR user_script:1: Script attempted to access nonexistent global variable'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s', (_, err, expected) => {
    expect(isRedisConnectionError(err)).toBe(expected);
  });
});
