import { describe, expect, it } from 'vitest';
import { resolveAmbiguousSubmission, sightingOf, type AmbiguityInput, type PendingAttempt } from './ambiguous-submission';

const T0 = new Date('2025-11-20T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const pending = (over: Partial<PendingAttempt> = {}): PendingAttempt => ({
  id: 'att_1',
  startedAt: T0,
  outcome: 'pending',
  statusCode: null,
  upstreamJobId: null,
  ...over,
});
const input = (over: Partial<AmbiguityInput> = {}): AmbiguityInput => ({
  attempt: pending(),
  callbacks: [],
  listing: [],
  now: at(1_000),
  timeoutMs: 60_000,
  policy: 'resubmit',
  recheckMs: 2_000,
  ...over,
});

describe('resolveAmbiguousSubmission', () => {
  it('submits when no attempt was ever recorded (nothing was sent)', () => {
    expect(resolveAmbiguousSubmission(input({ attempt: undefined }))).toEqual({ kind: 'resubmit', ambiguous: false });
  });

  it('adopts the jobid of an answer that was written before the crash', () => {
    expect(resolveAmbiguousSubmission(input({ attempt: pending({ outcome: 'success', statusCode: 201, upstreamJobId: 'j1' }) }))).toEqual({
      kind: 'adopt',
      upstreamJobId: 'j1',
      source: 'answer',
    });
  });

  it('adopts the jobid a callback wrote on the pending attempt', () => {
    expect(resolveAmbiguousSubmission(input({ attempt: pending({ upstreamJobId: 'j2' }) }))).toEqual({
      kind: 'adopt',
      upstreamJobId: 'j2',
      source: 'callback',
    });
  });

  it('resubmits at once after a recorded refusal: useapi made no job', () => {
    expect(resolveAmbiguousSubmission(input({ attempt: pending({ outcome: 'retry_other_account', statusCode: 429 }) }))).toEqual({
      kind: 'resubmit',
      ambiguous: false,
    });
  });

  it('adopts from a callback carrying the replyRef, ignoring callbacks of other attempts', () => {
    const callbacks = [
      { replyRef: 'att_0', upstreamJobId: 'old' },
      { replyRef: 'att_1', upstreamJobId: 'j3' },
    ];
    expect(resolveAmbiguousSubmission(input({ callbacks }))).toEqual({ kind: 'adopt', upstreamJobId: 'j3', source: 'callback' });
  });

  it('adopts from the listing, by replyRef only', () => {
    const listing = [
      { replyRef: null, upstreamJobId: 'x' },
      { replyRef: 'att_9', upstreamJobId: 'y' },
      { replyRef: 'att_1', upstreamJobId: 'j4' },
    ];
    expect(resolveAmbiguousSubmission(input({ listing }))).toEqual({ kind: 'adopt', upstreamJobId: 'j4', source: 'listing' });
  });

  it('a callback wins over the listing and the timeout', () => {
    const r = resolveAmbiguousSubmission(
      input({ callbacks: [{ replyRef: 'att_1', upstreamJobId: 'cb' }], listing: [{ replyRef: 'att_1', upstreamJobId: 'cb' }], now: at(10 * 60_000) }),
    );
    expect(r).toMatchObject({ kind: 'adopt', source: 'callback' });
  });

  it('waits while the POST may still be in flight, never longer than the time left', () => {
    expect(resolveAmbiguousSubmission(input({ now: at(1_000) }))).toEqual({ kind: 'wait', ms: 2_000 });
    expect(resolveAmbiguousSubmission(input({ now: at(59_500) }))).toEqual({ kind: 'wait', ms: 500 });
  });

  it('resubmits after the timeout under the default policy, and says it was ambiguous', () => {
    expect(resolveAmbiguousSubmission(input({ now: at(60_000) }))).toEqual({ kind: 'resubmit', ambiguous: true });
  });

  it('fails after the timeout under the fail policy', () => {
    const r = resolveAmbiguousSubmission(input({ now: at(61_000), policy: 'fail' }));
    expect(r.kind).toBe('fail');
    expect(r.kind === 'fail' && r.message).toContain('att_1');
  });

  it('gives an unreadable listing a second timeout before acting', () => {
    expect(resolveAmbiguousSubmission(input({ listing: undefined, now: at(90_000) }))).toEqual({ kind: 'wait', ms: 2_000 });
    expect(resolveAmbiguousSubmission(input({ listing: undefined, now: at(120_000) }))).toEqual({ kind: 'resubmit', ambiguous: true });
  });
});

describe('sightingOf', () => {
  it('reads request.replyRef of a listed job', () => {
    expect(sightingOf({ jobid: 'j', raw: { jobid: 'j', request: { replyRef: 'att_5', prompt: 'p' } } })).toEqual({ upstreamJobId: 'j', replyRef: 'att_5' });
    expect(sightingOf({ jobid: 'j', raw: { jobid: 'j' } })).toEqual({ upstreamJobId: 'j', replyRef: null });
  });
});
