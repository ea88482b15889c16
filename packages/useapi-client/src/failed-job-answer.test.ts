import { describe, expect, it } from 'vitest';
import { classifyAnswer } from './classify-answer';
import { answerOfFailedJob } from './failed-job-answer';
import { BODIES, JOBID } from './fixtures/upstream-bodies';
import { jobRecordSchema, type UpstreamJobRecord } from './schemas/job-record';

const NOW = new Date('2025-11-17T12:00:00.000Z');
const failed = (extra: Partial<UpstreamJobRecord>): UpstreamJobRecord => ({ jobid: JOBID, type: 'video', status: 'failed', request: {}, ...extra });

describe('answerOfFailedJob', () => {
  it('reads the documented failed job as a 500 worth retrying', () => {
    const answer = answerOfFailedJob(jobRecordSchema.parse(BODIES.failedJob));
    expect(answer).toMatchObject({
      ok: false,
      status: 500,
      error: {
        kind: 'http',
        googleStatus: 'INTERNAL',
        message: 'API error: 500 - Upstream model returned an internal error - INTERNAL: Internal error encountered.',
      },
    });
    expect(classifyAnswer(answer, { now: NOW })).toMatchObject({ type: 'retry_soon', kind: 'transient_error' });
  });

  it.each([
    {
      name: 'content policy in response.error',
      record: failed({ error: 'API error: 400', code: 400, response: { error: BODIES.contentPolicy400.error } }),
      outcome: { type: 'permanent', code: 'content_policy' },
    },
    { name: 'Google error as record.error, code from it', record: failed({ error: BODIES.quota429.error }), outcome: { type: 'cool_off' } },
    { name: 'string error, no code', record: failed({ error: 'something broke' }), outcome: { type: 'retry_soon', message: 'something broke' } },
    { name: 'nothing at all', record: failed({}), outcome: { type: 'retry_soon', message: 'job failed' } },
    { name: 'polling timeout', record: failed({ error: BODIES.timeout408.error, code: 408 }), outcome: { type: 'timeout' } },
  ])('$name', ({ record, outcome }) => {
    expect(classifyAnswer(answerOfFailedJob(record), { now: NOW })).toMatchObject(outcome);
  });
});
