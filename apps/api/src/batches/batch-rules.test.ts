import { describe, expect, it } from 'vitest';
import { batchProgress, type JobGroup } from './batch-progress';
import { detectDelimiter } from './detect-delimiter';
import { createMediaLinks } from '../media/media-links';
import { resultCsvHeader, resultCsvLine, resultOfJob, resultOfRejectedRow } from './results-format';
import { cellValue, mapHeader, rowFromRecord } from './row-fields';
import { parseDefaults, validateRow } from './row-validation';

describe('CSV header and cells', () => {
  it('matches request fields case-insensitively and keeps unknown columns as metadata', () => {
    const map = mapHeader([' PROMPT ', 'aspectratio', 'Ref', 'Campaign', 'referenceimage_2']);
    expect(map.known.map((k) => k.name)).toEqual(['prompt', 'aspectRatio', 'ref', 'referenceImage_2']);
    const row = rowFromRecord(map, ['a cat', 'portrait', 'r-1', 'spring', ''], 3);
    expect(row).toMatchObject({ row: 3, fields: { prompt: 'a cat', aspectRatio: 'portrait' }, ref: 'r-1', metadata: { Campaign: 'spring' } });
    expect(row.issues).toBeUndefined();
  });

  it('reads the 2026 columns: duration, resolution, the new ratios, seven references, captcha options', () => {
    const map = mapHeader(['prompt', 'model', 'Duration', 'resolution', 'aspectRatio', 'referenceImage_7', 'captchaRetry']);
    const ok = validateRow(rowFromRecord(map, ['a cat', 'omni-flash', '10', '360p', 'portrait', 'r7', '5'], 1), {});
    expect(ok).toMatchObject({
      ok: true,
      request: { model: 'omni-flash', duration: 10, resolution: '360p', aspectRatio: 'portrait', referenceImage_7: 'r7', captchaRetry: 5 },
    });
    const bad = validateRow(rowFromRecord(map, ['a cat', 'veo-3.1-fast', '10', '360p', '1:1', '', ''], 2), {});
    expect(bad.ok ? [] : bad.issues.map((i) => i.column).sort()).toEqual(['duration', 'resolution']);
    const retired = validateRow(rowFromRecord(map, ['a cat', 'veo-3.1-fast-relaxed', '', '', '', '', ''], 3), {});
    expect(retired.ok ? null : retired.issues[0]).toMatchObject({ column: 'model', message: expect.stringMatching(/use veo-3\.1-lite-low-priority/) });
  });

  it('reads image rows: model, count, seed, aspectRatio; a video-only column on an image row is named', () => {
    const map = mapHeader(['kind', 'prompt', 'model', 'count', 'seed', 'aspectRatio', 'duration']);
    const ok = validateRow(rowFromRecord(map, ['image', 'a kite', 'nano-banana-2', '3', '7', '1:1', ''], 1), {});
    expect(ok).toMatchObject({ ok: true, kind: 'image', request: { prompt: 'a kite', model: 'nano-banana-2', count: 3, seed: 7, aspectRatio: '1:1' } });
    const bad = validateRow(rowFromRecord(map, ['image', 'a kite', '', '', '', 'auto', '8'], 2), {});
    expect(bad.ok ? [] : bad.issues.map((i) => i.column).sort()).toEqual(['aspectRatio', 'duration']);
  });

  it('reads upscale and extend rows from flat source columns, and a chain from a then cell, naming the CSV column of a problem', () => {
    const map = mapHeader(['kind', 'prompt', 'sourceJob', 'sourceClip', 'sourceMediaId', 'resolution', 'then']);
    const rows = [
      ['upscale', '', 'job_1', '2', '', '4K', ''],
      ['upscale', '', '', '', 'media-1', '', ''],
      ['extend', 'more of it', 'job_1', '', '', '', ''],
      ['', 'a clip', '', '', '', '', 'upscale:1080p; upscale:4K'],
      ['video', 'a clip', '', '', '', '', '[{"kind":"extend","prompt":"on"}]'],
    ].map((r, i) => validateRow(rowFromRecord(map, r, i + 1), {}));
    expect(rows.map((r) => (r.ok ? [r.kind, r.request] : r.issues))).toEqual([
      ['upscale', { source: { jobId: 'job_1', clip: 2 }, resolution: '4K' }],
      ['upscale', { source: { mediaGenerationId: 'media-1' }, resolution: '1080p' }],
      ['extend', expect.objectContaining({ source: { jobId: 'job_1', clip: 0 }, prompt: 'more of it', model: 'veo-3.1-fast', count: 1 })],
      [
        'video',
        expect.objectContaining({
          prompt: 'a clip',
          // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
          then: [
            { kind: 'upscale', resolution: '1080p' },
            { kind: 'upscale', resolution: '4K' },
          ],
        }),
      ],
      // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
      ['video', expect.objectContaining({ then: [{ kind: 'extend', prompt: 'on', model: 'veo-3.1-fast', count: 1 }] })],
    ]);
    const bad = [
      ['upscale', '', '', '', '', '', ''],
      ['upscale', '', 'job_1', '9', '', '', ''],
      ['upscale', '', 'job_1', '', 'media-1', '', ''],
      ['upscale', '', '', '1', 'media-1', '', ''],
      ['upscale', '', 'job_1', '', '', '8K', ''],
      ['', 'a clip', '', '', '', '', 'upscale:8K'],
      ['', 'a clip', '', '', '', '', 'upscale:1080p;downscale'],
      ['', 'a clip', '', '', '', '', '[{"kind":'],
      ['', 'a clip', 'job_1', '', '', '', ''],
      ['image', 'a cat', '', '', '', '', 'upscale'],
    ].map((r, i) => validateRow(rowFromRecord(map, r, i + 1), {}));
    expect(bad.map((r) => (r.ok ? 'accepted' : r.issues.map((i) => i.column).join(',')))).toEqual([
      'sourceJob',
      'sourceClip',
      'sourceJob',
      'sourceClip',
      'resolution',
      'then',
      'then',
      'then',
      'sourceJob',
      'then',
    ]);
  });

  it('refuses a header without prompt, or with a column twice, naming it', () => {
    expect(() => mapHeader(['text', 'model'])).toThrow(/no prompt column \(header: text, model\)/);
    expect(() => mapHeader(['prompt', 'Prompt'])).toThrow(/twice/);
  });

  it('turns numeric cells into numbers, blanks into "not given", and leaves the rest for validation to judge', () => {
    expect(cellValue('count', ' 3 ')).toBe(3);
    expect(cellValue('count', 'three')).toBe('three');
    expect(cellValue('seed', '')).toBeUndefined();
    expect(cellValue('prompt', '  keep my spaces ')).toBe('  keep my spaces ');
    expect(cellValue('model', ' veo-3.1-fast ')).toBe('veo-3.1-fast');
  });

  it('flags a record wider than its header', () => {
    const map = mapHeader(['prompt']);
    expect(rowFromRecord(map, ['a', 'b'], 1).issues?.[0]?.message).toMatch(/2 fields but the header has 1/);
  });

  it('detects comma, semicolon and tab from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('prompt,model,count')).toBe(',');
    expect(detectDelimiter('prompt;model;"a,b,c"')).toBe(';');
    expect(detectDelimiter('prompt\tmodel')).toBe('\t');
    expect(detectDelimiter('prompt')).toBe(',');
  });
});

describe('row validation: the rules of POST /v1/jobs, defaults under the row', () => {
  it('lets the row win over defaults and applies the request defaults', () => {
    const v = validateRow({ row: 1, fields: { prompt: 'x', count: 2 } }, { count: 4, model: 'veo-3.1-quality' });
    expect(v).toMatchObject({ ok: true, request: { prompt: 'x', count: 2, model: 'veo-3.1-quality', aspectRatio: 'landscape' }, priority: undefined });
  });

  it('reports every problem of a row with its column and the same message as the job route', () => {
    const v = validateRow({ row: 7, fields: { prompt: ' ', count: 9, endImage: 'e' } }, {});
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues).toEqual(
      expect.arrayContaining([
        { row: 7, column: 'prompt', message: 'is required' },
        { row: 7, column: 'count', message: 'must be an integer from 1 to 4' },
      ]),
    );
  });

  it('applies the mode rules and refuses unknown fields of a JSON item', () => {
    const r2v = validateRow({ row: 1, fields: { prompt: 'x', startImage: 's', referenceImage_1: 'r' } }, {});
    expect(r2v.ok ? [] : r2v.issues.map((i) => i.column)).toEqual(['referenceImage_1']);
    const veo10 = validateRow({ row: 1, fields: { prompt: 'x', duration: 10 } }, {});
    expect(veo10.ok ? [] : veo10.issues.map((i) => i.column)).toEqual(['duration']);
    const typo = validateRow({ row: 2, fields: { prompt: 'x', aspect_ratio: 'portrait' } }, {});
    expect(typo.ok ? null : typo.issues[0]).toEqual({ row: 2, column: 'aspect_ratio', message: 'is not a known field' });
  });

  it('refuses bad defaults up front, naming defaults.<field>', () => {
    expect(() => parseDefaults({ model: 'veo-9' })).toThrow(/^defaults\.model: must be one of/);
    expect(() => parseDefaults({ colour: 'red' })).toThrow(/defaults\.colour: is not a known field/);
    expect(parseDefaults({ count: 2 })).toEqual({ count: 2 });
  });
});

describe('batch progress', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const g = (over: Partial<JobGroup>): JobGroup => ({
    status: 'queued',
    model: 'veo-3.1-fast',
    count: 1,
    duration: null,
    resolution: null,
    jobs: 0,
    credits: 0,
    firstStartedAt: null,
    lastCompletedAt: null,
    recentlyCompleted: 0,
    ...over,
  });

  it('sums the credits succeeded jobs cost, prices what remains at the dearest tier, and estimates the time left from the rate', () => {
    const p = batchProgress(
      [
        g({
          status: 'succeeded',
          model: 'veo-3.1-quality',
          count: 2,
          jobs: 3,
          credits: 600,
          firstStartedAt: at(0),
          lastCompletedAt: at(50),
          recentlyCompleted: 3,
        }),
        g({ status: 'failed', jobs: 1, firstStartedAt: at(5), lastCompletedAt: at(55), recentlyCompleted: 1 }),
        // veo-3.1-fast: 20 a clip on pro (10 on Ultra): 6 x 4 x 20.
        g({ status: 'queued', count: 4, jobs: 6 }),
        // 4 s Veo runs on Ultra only: 10 a clip. omni-flash 10 s 360p: 7.
        g({ status: 'queued', duration: 4, jobs: 1 }),
        g({ status: 'queued', model: 'omni-flash', duration: 10, resolution: '360p', jobs: 2 }),
        g({ status: 'running', model: 'veo-3.1-lite-low-priority', jobs: 2, firstStartedAt: at(1) }),
        g({ status: 'cancelled', jobs: 5, lastCompletedAt: at(58), recentlyCompleted: 5 }),
      ],
      at(60),
    );
    expect(p.counts).toMatchObject({ succeeded: 3, failed: 1, queued: 9, running: 2, cancelled: 5 });
    expect(p.credits).toEqual({ spent: 600, estimatedRemaining: 480 + 10 + 14 });
    expect(p.startedAt).toEqual(at(0));
    expect(p.finishedAt).toBeNull();
    // 4 ended in the 60 s since the start (cancelled ones are not work done): 4/min, 11 left: 165 s.
    expect(p.throughputPerMinute).toBe(4);
    expect(p.etaSeconds).toBe(165);
  });

  it('is finished when nothing is left to run, at the last job end', () => {
    const p = batchProgress([g({ status: 'succeeded', jobs: 2, firstStartedAt: at(0), lastCompletedAt: at(30) })], at(500));
    expect(p.finishedAt).toEqual(at(30));
    expect(p.etaSeconds).toBe(0);
    expect(p.throughputPerMinute).toBe(4);
  });
});

describe('results lines', () => {
  const plain = { videos: 2, images: 0, kinds: false, chains: false };

  it('writes RFC 4180 CSV with one column pair per video and the error columns', () => {
    expect(resultCsvHeader(plain)).toBe('ref,row,prompt,status,video_1_url,thumbnail_1_url,video_2_url,thumbnail_2_url,seeds,error_code,error_message\r\n');
    const line = resultCsvLine(
      {
        ref: 'a,b',
        row: 4,
        kind: 'video',
        prompt: 'say "hi"\nthere',
        status: 'succeeded',
        videos: [{ url: 'u1', thumbnailUrl: 't1', downloadUrl: null, thumbnailDownloadUrl: null, sha256: null, bytes: null, archive: 'off' }],
        images: [],
        seeds: [5],
        followUps: [],
        errorCode: null,
        errorMessage: null,
      },
      plain,
    );
    expect(line).toBe('"a,b",4,"say ""hi""\nthere",succeeded,u1,t1,,,5,,\r\n');
    expect(resultOfRejectedRow(9, [{ column: 'count', message: 'must be an integer from 1 to 4' }])).toMatchObject({
      row: 9,
      status: 'rejected',
      errorCode: 'invalid_row',
      errorMessage: 'count: must be an integer from 1 to 4',
    });
  });

  it('adds kind, image url and sha256 pairs, and follow_ups only for a batch that has them', () => {
    const shape = { videos: 1, images: 2, kinds: true, chains: true };
    expect(resultCsvHeader(shape)).toBe(
      'ref,row,prompt,status,kind,video_1_url,thumbnail_1_url,image_1_url,image_1_sha256,image_2_url,image_2_sha256,seeds,follow_ups,error_code,error_message\r\n',
    );
    const links = createMediaLinks({ publicUrl: 'https://f.example', signingSecret: undefined, ttlSeconds: 60 });
    const image = resultOfJob(
      {
        ref: null,
        batchRow: 2,
        kind: 'image',
        request: { prompt: 'a cat' },
        status: 'succeeded',
        result: {
          videos: [],
          images: [
            { url: '/v1/media/job_1/image-0.png', seed: 3, mediaGenerationId: 'm', sha256: 'abc', bytes: 10, archive: { status: 'archived' } },
            { url: 'https://g.example/i1', seed: 4, mediaGenerationId: 'n', archive: { status: 'failed', error: 'dead' } },
          ],
        },
        error: null,
      },
      links,
    );
    expect(resultCsvLine(image, shape)).toBe(',2,a cat,succeeded,image,,,https://f.example/v1/media/job_1/image-0.png,abc,https://g.example/i1,,3 4,,,\r\n');
    const parent = resultOfJob(
      { ref: 'p', batchRow: 3, kind: 'video', request: { prompt: 'x' }, status: 'succeeded', result: { videos: [] }, error: null },
      links,
      ['job_a', 'job_b'],
    );
    expect(parent.followUps).toEqual(['job_a', 'job_b']);
    expect(resultCsvLine(parent, shape)).toBe('p,3,x,succeeded,video,,,,,,,,job_a job_b,,\r\n');
  });
});
