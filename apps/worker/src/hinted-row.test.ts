import { jobSnapshotOf, type JobRow } from '@flowq/db';
import type { CallbackHint } from '@flowq/queue';
import { describe, expect, it } from 'vitest';
import { hintedRow } from './hinted-row';

const row = {
  id: 'job_1',
  status: 'running',
  kind: 'video',
  request: { prompt: 'p', model: 'veo-3.1-fast' },
  account: 'a@x.test',
  upstreamJobId: 'j1',
  callbackSecret: 'secret',
  attempts: 0,
  createdAt: new Date('2026-11-28T04:00:00Z'),
  updatedAt: new Date('2026-11-28T04:00:00Z'),
  startedAt: new Date('2026-11-28T04:00:00Z'),
  completedAt: null,
  deadlineAt: new Date('2026-11-29T04:00:00Z'),
} as unknown as JobRow;
const hint = (over: Partial<CallbackHint> = {}, r: Partial<JobRow> = {}): CallbackHint => ({
  status: 'completed',
  upstreamJobId: 'j1',
  slotFreed: true,
  row: jobSnapshotOf({ ...row, ...r }),
  ...over,
});

describe('hintedRow: may the woken step take the row the callback hint carries', () => {
  it.each<[string, CallbackHint | null, string | undefined, boolean]>([
    ['the awaited upstream job ended, the row running it', hint(), 'j1', true],
    ['a failed end of it, slot not freed', hint({ status: 'failed', slotFreed: false }), 'j1', true],
    ['the step did not sleep awaiting a callback', hint(), undefined, false],
    ['no hint', null, 'j1', false],
    ['a hint without a row (the former format, or not running then)', hint({ row: undefined }), 'j1', false],
    ['a hint about an earlier submission', hint({ upstreamJobId: 'j0' }, { upstreamJobId: 'j0' }), 'j1', false],
    ['a row running another upstream job', hint({}, { upstreamJobId: 'j0' }), 'j1', false],
    ['a row not running', hint({}, { status: 'submitting' }), 'j1', false],
    ['a row without an account', hint({}, { account: null }), 'j1', false],
    ['text that is not a row', hint({ row: '{oops' }), 'j1', false],
  ])('%s', (_, h, awaits, taken) => {
    const got = hintedRow(h, awaits);
    expect(got !== undefined).toBe(taken);
    if (taken) expect(got).toEqual({ ...row, callbackSecret: '' });
  });
});
