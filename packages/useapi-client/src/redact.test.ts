import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BODIES, JOBID } from './fixtures/upstream-bodies';
import { startStubUpstream } from './fixtures/stub-upstream';
import { REDACT_PATHS, redactOptions } from './redact';
import { createUseapiClient } from './useapi-client';

const TOKEN = 'user:1234-tok3n-S3CR3T-value';

function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug', redact: redactOptions }, stream), text: () => lines.join('') };
}

let stub: Awaited<ReturnType<typeof startStubUpstream>> | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('REDACT_PATHS', () => {
  it.each([
    { name: 'req.headers.authorization', obj: { req: { headers: { authorization: `Bearer ${TOKEN}` } } } },
    { name: 'headers.authorization', obj: { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } } },
    { name: 'nested headers', obj: { upstream: { headers: { authorization: `Bearer ${TOKEN}` } } } },
    { name: 'token', obj: { token: TOKEN } },
    { name: '*.token', obj: { options: { baseUrl: 'x', token: TOKEN } } },
    { name: 'useapiToken', obj: { useapiToken: TOKEN } },
    { name: '*.useapiToken', obj: { config: { useapiToken: TOKEN } } },
    { name: '*.apiKey', obj: { config: { apiKey: TOKEN } } },
  ])('hides $name', ({ obj }) => {
    const { logger, text } = memoryLogger();
    logger.info(obj, 'something');
    expect(text()).toContain('[REDACTED]');
    expect(text()).not.toContain(TOKEN);
  });

  it('keeps what is not secret', () => {
    const { logger, text } = memoryLogger();
    logger.info({ upstream: { path: '/videos', status: 429 } });
    expect(JSON.parse(text())).toMatchObject({ upstream: { path: '/videos', status: 429 } });
  });

  it('is a list of plain strings pino accepts', () => {
    expect(() => pino({ redact: REDACT_PATHS })).not.toThrow();
  });

  it('a client logging its calls and a caller logging its answers never write the token', async () => {
    const { logger, text } = memoryLogger();
    stub = await startStubUpstream((req) =>
      req.rawUrl.endsWith('/accounts') ? { status: 200, body: BODIES.accounts } : { status: 429, body: BODIES.quota429, headers: { 'retry-after': '60' } },
    );
    const options = { baseUrl: stub.baseUrl, token: TOKEN, logger };
    const client = createUseapiClient(options);
    const ok = await client.listAccounts();
    const failed = await client.getJob(JOBID);
    logger.info({ answer: ok }, 'accounts');
    logger.warn({ answer: failed, options: { ...options, logger: undefined } }, 'job');
    logger.info({ client }, 'client');
    expect(text()).toContain('useapi call');
    expect(text()).toContain('PUBLIC_ERROR_USER_QUOTA_REACHED');
    expect(text()).not.toContain(TOKEN);
  });
});
