import { findJob, insertJob, insertJobs, type NewJob } from '@flowq/db';
import { createTestDatabase, type TestDatabase } from '@flowq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('insert-jobs');
});
afterAll(() => t.drop());

const jobsOf = (n: number): NewJob[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: i % 2 === 0 ? 'video' : 'image',
    request: { prompt: `p ${i} "quoted" \\ back`, model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1 } as NewJob['request'],
    priority: i,
    metadata: i % 3 === 0 ? null : { i, nested: { list: [1, 'two', null] } },
    ownerKey: i % 4 === 0 ? null : `key_${i}`,
    callbackUrl: i % 2 === 0 ? null : `https://example.test/cb/${i}`,
    maxCredits: i % 5 === 0 ? 40 : null,
    deadlineMs: 60_000 + i,
    now: new Date(Date.UTC(2026, 10, 27, 12, 0, 0, i)),
  }));

describe('insertJobs (the group commit write)', () => {
  it('writes every job in one statement and answers each row exactly as a read gives it, in order', async () => {
    const input = jobsOf(7);
    const rows = await insertJobs(t.db, input);
    expect(rows.map((r) => r.request.prompt)).toEqual(input.map((j) => (j.request as { prompt: string }).prompt));
    for (const row of rows) expect(row).toEqual(await findJob(t.db, row.id));
    expect(rows[3]!).toMatchObject({ status: 'queued', kind: 'image', metadata: null, attempts: 0, maxCredits: null, budgeted: false });
    expect(rows[5]!).toMatchObject({ maxCredits: 40, budgeted: true, callbackUrl: 'https://example.test/cb/5', ownerKey: 'key_5' });
    expect(rows[2]!.deadlineAt.getTime() - rows[2]!.createdAt.getTime()).toBe(60_002);
  });

  it('gives the same row shape as the single insert', async () => {
    const [one] = jobsOf(1);
    const single = await insertJob(t.db, one!);
    const [grouped] = await insertJobs(t.db, [one!, one!]);
    const strip = (r: typeof single) => ({ ...r, id: '', callbackSecret: '' });
    expect(strip(grouped!)).toEqual(strip(single));
  });
});
