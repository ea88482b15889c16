import { describe, expect, it } from 'vitest';
import { formatCallbackHint, parseCallbackHint, slotFreedByCallback, type CallbackHint } from './callback-hints';

describe('callback hints', () => {
  it.each<[string, CallbackHint]>([
    ['freed, completed', { status: 'completed', upstreamJobId: 'j1-bot:google-flow', slotFreed: true }],
    ['kept, failed', { status: 'failed', upstreamJobId: 'j2', slotFreed: false }],
    ['no upstream job named', { status: 'completed', upstreamJobId: null, slotFreed: false }],
    ['with the row', { status: 'completed', upstreamJobId: 'j1', slotFreed: true, row: '{"id":"job_1","request":{"prompt":"a b  c"}}' }],
    ['with the row, no upstream job named', { status: 'failed', upstreamJobId: null, slotFreed: false, row: '{"id":"job_1"}' }],
  ])('reads back what was written: %s', (_, hint) => {
    expect(parseCallbackHint(formatCallbackHint(hint))).toEqual(hint);
  });

  it('reads a hint of the former format (the status alone) as not freed', () => {
    expect(parseCallbackHint('completed')).toEqual({ status: 'completed', upstreamJobId: null, slotFreed: false });
  });

  it.each<[string, CallbackHint | null, boolean]>([
    ['freed for this upstream job', { status: 'completed', upstreamJobId: 'j1', slotFreed: true }, true],
    ['freed for an earlier submission', { status: 'completed', upstreamJobId: 'j0', slotFreed: true }, false],
    ['not freed (the lease was not held)', { status: 'completed', upstreamJobId: 'j1', slotFreed: false }, false],
    ['no hint', null, false],
  ])('slotFreedByCallback: %s', (_, hint, expected) => {
    expect(slotFreedByCallback(hint, 'j1')).toBe(expected);
  });
});
