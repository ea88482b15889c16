import { describe, expect, it } from 'vitest';
import { archiveAction, failureOf, refreshBeforeCopy } from './archive-failure';
import { DownloadError } from './copy-from-url';
import { MediaRejectedError } from './media-store-errors';

describe('failureOf', () => {
  it.each([
    ['403 from the storage host (expired signature)', new DownloadError('x', 403), { kind: 'dead_link', status: 403 }],
    ['404', new DownloadError('x', 404), { kind: 'dead_link', status: 404 }],
    ['410', new DownloadError('x', 410), { kind: 'dead_link', status: 410 }],
    ['401', new DownloadError('x', 401), { kind: 'dead_link', status: 401 }],
    ['500', new DownloadError('x', 500), { kind: 'transient' }],
    ['503', new DownloadError('x', 503), { kind: 'transient' }],
    ['429', new DownloadError('x', 429), { kind: 'transient' }],
    ['a timeout (no status)', new DownloadError('timed out'), { kind: 'transient' }],
    ['an HTML page instead of an MP4', new MediaRejectedError('unknown_type', 'x'), { kind: 'bad_content' }],
    ['the store refusing a write', Object.assign(new Error('ECONNREFUSED'), { name: 'Error' }), { kind: 'transient' }],
    ['a non-error thrown', 'boom', { kind: 'transient' }],
  ])('%s', (_name, error, expected) => {
    expect(failureOf(error)).toEqual(expected);
  });
});

describe('archiveAction', () => {
  it.each([
    [{ kind: 'dead_link', status: 403 }, { refreshed: false, attempt: 1, maxAttempts: 8 }, 'refresh_links'],
    [{ kind: 'dead_link', status: 403 }, { refreshed: false, attempt: 8, maxAttempts: 8 }, 'refresh_links'],
    [{ kind: 'dead_link', status: 403 }, { refreshed: true, attempt: 1, maxAttempts: 8 }, 'give_up'],
    [{ kind: 'transient' }, { refreshed: false, attempt: 1, maxAttempts: 8 }, 'retry_later'],
    [{ kind: 'transient' }, { refreshed: true, attempt: 7, maxAttempts: 8 }, 'retry_later'],
    [{ kind: 'transient' }, { refreshed: false, attempt: 8, maxAttempts: 8 }, 'give_up'],
    [{ kind: 'bad_content' }, { refreshed: false, attempt: 1, maxAttempts: 8 }, 'retry_later'],
    [{ kind: 'bad_content' }, { refreshed: false, attempt: 8, maxAttempts: 8 }, 'give_up'],
  ] as const)('%j at %j -> %s', (failure, ctx, action) => {
    expect(archiveAction(failure, ctx)).toBe(action);
  });
});

describe('refreshBeforeCopy', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  it.each([
    ['a link past its estimated lifetime', new Date('2026-11-27T11:59:59Z'), false, true],
    ['a link expiring this very moment', now, false, true],
    ['a link still alive', new Date('2026-11-27T12:00:01Z'), false, false],
    ['a link with no known lifetime', null, false, false],
    ['a link already refreshed in this try', new Date('2026-11-27T11:00:00Z'), true, false],
  ] as const)('%s', (_name, expiresAt, refreshed, expected) => {
    expect(refreshBeforeCopy(expiresAt, { now, refreshed })).toBe(expected);
  });
});
