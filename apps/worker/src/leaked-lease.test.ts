import type { JobStatus } from '@flowq/core';
import { describe, expect, it } from 'vitest';
import { isLeakedLease } from './leaked-lease';

describe('isLeakedLease', () => {
  it.each<[JobStatus | undefined, boolean, string]>([
    ['submitting', false, 'its submit is on the wire'],
    ['running', false, 'it runs upstream on the account'],
    ['queued', false, 'it may be taking the slot now, before its row says submitting'],
    ['over_budget', false, 'it goes back to queued and takes the same lease again'],
    ['archiving', true, 'the generation is over; copying files needs no slot'],
    ['succeeded', true, 'done'],
    ['failed', true, 'done'],
    ['cancelled', true, 'done'],
    [undefined, false, 'no row: not ours to judge'],
  ])('a lease held by a job %s: leaked %s (%s)', (status, leaked) => {
    expect(isLeakedLease(status)).toBe(leaked);
  });
});
