import { describe, expect, it } from 'vitest';
import type { JobRow } from '../schema';
import { jobRowOfSnapshot, jobSnapshotOf } from './job-snapshot';

const running: JobRow = {
  id: 'job_1',
  status: 'running',
  kind: 'video',
  parentJobId: null,
  request: { prompt: 'a cat "with" spaces', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1 } as JobRow['request'],
  priority: 50,
  metadata: { ref: 'x', n: '123' },
  batchId: null,
  batchRow: null,
  ref: null,
  ownerKey: 'key_1',
  account: 'a@x.test',
  upstreamJobId: 'j1-bot:google-flow',
  callbackSecret: 's3cret',
  callbackUrl: null,
  attempts: 1,
  submissions: 2,
  result: null,
  credits: null,
  maxCredits: null,
  budgeted: false,
  reservedCredits: null,
  error: null,
  createdAt: new Date('2026-11-28T04:00:00.123Z'),
  updatedAt: new Date('2026-11-28T04:00:01.000Z'),
  startedAt: new Date('2026-11-28T04:00:00.500Z'),
  completedAt: null,
  deadlineAt: new Date('2026-11-29T04:00:00.000Z'),
};

describe('job snapshots (a row beside a hint in Redis)', () => {
  it.each<[string, JobRow]>([
    ['a running video', running],
    ['a string metadata that looks like a number stays a string', { ...running, metadata: '123' }],
    ['no startedAt, an error', { ...running, startedAt: null, error: { code: 'upstream_timeout', message: 'm' } }],
  ])('reads back the row without its callback secret: %s', (_, row) => {
    const text = jobSnapshotOf(row);
    expect(text).not.toContain('s3cret');
    expect(jobRowOfSnapshot(text)).toEqual({ ...row, callbackSecret: '' });
  });

  it.each([
    ['not JSON', '{'],
    ['no id', '{"status":"running"}'],
    ['a date that is not text', '{"id":"job_1","createdAt":5}'],
    ['a required date missing', '{"id":"job_1","updatedAt":"2026-11-28T04:00:01.000Z","deadlineAt":"2026-11-29T04:00:00.000Z"}'],
    ['null', 'null'],
  ])('is undefined for text that is not a snapshot: %s', (_, text) => {
    expect(jobRowOfSnapshot(text)).toBeUndefined();
  });
});
