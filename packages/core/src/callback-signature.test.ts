import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jobCallbackEvent, signCallback, verifyCallback } from './callback-signature';

const secret = 'fqsig_test-secret';
const body = '{"id":"job_1","status":"succeeded"}';

describe('callback signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signCallback(secret, body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it.each([
    ['the signed body', body, secret, 1_700_000_010, true],
    ['a body changed by one byte', body.replace('succeeded', 'succeedee'), secret, 1_700_000_010, false],
    ['another secret', body, 'fqsig_other', 1_700_000_010, false],
    ['a timestamp older than the tolerance', body, secret, 1_700_000_301, false],
    ['a timestamp from the future beyond the tolerance', body, secret, 1_699_999_699, false],
  ])('verify: %s -> %s', (_what, given, key, nowS, ok) => {
    expect(verifyCallback(key, signCallback(secret, body, 1_700_000_000), given, { nowS })).toBe(ok);
  });

  it.each([undefined, '', 't=abc,v1=00', 't=1700000000', 't=1700000000,v1=zz', `v1=${'0'.repeat(64)}`])('refuses the malformed header %s', (header) => {
    expect(verifyCallback(secret, header, body, { nowS: 1_700_000_000 })).toBe(false);
  });

  it.each([
    ['succeeded', 'job.succeeded'],
    ['failed', 'job.failed'],
    ['cancelled', 'job.cancelled'],
    ['queued', null],
    ['running', null],
  ])('the event of a job that reached %s is %s', (status, event) => {
    expect(jobCallbackEvent(status)).toBe(event);
  });
});
