import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { BatchView } from '../api-client';
import { CliError } from '../cli-error';
import { downloadBatch } from '../download-videos';
import { followBatch } from '../follow-batch';
import type { CliIo } from '../io';
import { clientFrom, CONNECTION_HELP, onePositional, parseCommand } from '../options';
import { unfinishedOf } from '../progress-line';

export const SUBMIT_HELP = `usage: flowq submit FILE [options]

Uploads a CSV file (header row with a prompt column; other columns as in POST /v1/jobs, plus
ref; a kind column makes rows images, upscales or extends, see docs/batches.md) or a JSON file
({ name, defaults, items } or a bare array of items) as one batch.

  --model ID            default model for rows that name none
  --aspect-ratio AR     default aspect ratio (landscape, portrait)
  --count N             default clips per row (1-4)
  --priority N          default priority (0-100; batches default to 10)
  --name NAME           batch name (default: the file name)
  --max-credits N       the batch's budget: rows that would take it past N credits wait
                        as over_budget until it is raised (PATCH /v1/batches/ID)
  --delimiter D         CSV delimiter: "," ";" or "tab" (default: detected)
  --skip-invalid        queue the valid rows and report the invalid ones (default: refuse the file)
  --wait                show live progress until every job has ended
  --out DIR             with --wait: download every video, thumbnail and image to DIR as
                        <row>-<ref>-<n>.mp4|jpg (images: .jpg|png|webp)
  --interval MS         progress refresh period (default 1000)
${CONNECTION_HELP}

Exit status: 0 done, 1 error, 2 usage, 3 (with --wait) some jobs failed, were cancelled or wait over budget.`;

/** Files up to this size are sent whole, so an early answer (413, 400) always reaches us; larger ones stream. */
const BUFFER_LIMIT = 8 * 1024 * 1024;

export async function submitCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    model: { type: 'string' },
    'aspect-ratio': { type: 'string' },
    count: { type: 'string' },
    priority: { type: 'string' },
    name: { type: 'string' },
    'max-credits': { type: 'string' },
    delimiter: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    wait: { type: 'boolean' },
    out: { type: 'string' },
    interval: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(`${SUBMIT_HELP}\n`);
    return 0;
  }
  const path = resolve(io.cwd, onePositional(positionals, 'FILE'));
  if (values.out && !values.wait) throw new CliError('--out needs --wait (use flowq download BATCH --out DIR later)', 2);
  const client = clientFrom(values, io);
  const size = await stat(path).then(
    (s) => (s.isFile() ? s.size : -1),
    (err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    },
  );
  if (size < 0) throw new CliError(`cannot read ${path}: not a file`);

  const defaults: Record<string, unknown> = {};
  if (values.model) defaults.model = values.model;
  if (values['aspect-ratio']) defaults.aspectRatio = values['aspect-ratio'];
  if (values.count) defaults.count = Number(values.count);
  if (values.priority) defaults.priority = Number(values.priority);
  const query = new URLSearchParams({ name: values.name ?? basename(path) });
  if (values['skip-invalid']) query.set('onInvalid', 'skip');
  if (values.delimiter) query.set('delimiter', values.delimiter);
  if (values['max-credits'] !== undefined) query.set('maxCredits', values['max-credits']);

  let init: RequestInit & { duplex?: 'half' };
  if (extname(path).toLowerCase() === '.json') {
    let body: unknown;
    try {
      body = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new CliError(`${path} is not valid JSON: ${(err as Error).message}`);
    }
    const doc = Array.isArray(body) ? { items: body } : (body as Record<string, unknown>);
    const payload = { ...doc, defaults: { ...(doc.defaults as object | undefined), ...defaults } };
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
  } else {
    if (Object.keys(defaults).length) query.set('defaults', JSON.stringify(defaults));
    const body = size <= BUFFER_LIMIT ? await readFile(path) : (Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>);
    init = { method: 'POST', headers: { 'content-type': 'text/csv' }, body, duplex: 'half' };
  }
  const created = await client.json<{
    id: string;
    total: number;
    accepted: number;
    rejected: number;
    errors: { row: number; column: string; message: string }[];
  }>(`/v1/batches?${query}`, init);
  io.stdout.write(`${created.id}\n`);
  io.stderr.write(`batch ${created.id}: ${created.accepted} of ${created.total} rows queued${created.rejected ? `, ${created.rejected} rejected` : ''}\n`);
  for (const e of created.errors.slice(0, 20)) io.stderr.write(`  row ${e.row}${e.column ? `, ${e.column}` : ''}: ${e.message}\n`);
  if (!values.wait) return 0;

  const interval = Number(values.interval ?? 1000);
  const final: BatchView = await followBatch(client, created.id, io, Number.isFinite(interval) && interval > 0 ? interval : 1000);
  io.stderr.write(`finished: ${final.counts.succeeded} succeeded, ${final.counts.failed} failed, ${final.counts.cancelled} cancelled\n`);
  if (values.out) {
    const dir = resolve(io.cwd, values.out);
    const summary = await downloadBatch(client, created.id, dir);
    io.stderr.write(`downloaded ${summary.downloaded} files to ${dir}${summary.failed.length ? `, ${summary.failed.length} failed` : ''}\n`);
    if (summary.failed.length) return 1;
  }
  return unfinishedOf(final) === 0 && final.counts.failed + final.counts.cancelled === 0 ? 0 : 3;
}
