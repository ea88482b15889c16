import { resolve } from 'node:path';
import { CliError } from '../cli-error';
import { downloadBatch } from '../download-videos';
import type { CliIo } from '../io';
import { clientFrom, CONNECTION_HELP, onePositional, parseCommand } from '../options';

export const DOWNLOAD_HELP = `usage: flowq download BATCH --out DIR

Downloads every video and thumbnail of a batch as <row>-<ref>-<n>.mp4 and .jpg, and every
image of an image row as <row>-<ref>-<n>.jpg, .png or .webp (the type it was stored as; rows
without a ref: <row>-<n>.mp4). Resumable: files already complete in DIR are skipped; archived
files are checked against their sha256.

  --out DIR     where to write (created if missing)
${CONNECTION_HELP}`;

export async function downloadCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { out: { type: 'string' } });
  if (values.help) {
    io.stdout.write(`${DOWNLOAD_HELP}\n`);
    return 0;
  }
  const id = onePositional(positionals, 'BATCH id');
  if (!values.out) throw new CliError('--out DIR is required', 2);
  const client = clientFrom(values, io);
  const dir = resolve(io.cwd, values.out);
  const summary = await downloadBatch(client, id, dir);
  io.stderr.write(`downloaded ${summary.downloaded}, skipped ${summary.skipped} already complete, ${summary.failed.length} failed (${dir})\n`);
  for (const f of summary.failed.slice(0, 20)) io.stderr.write(`  ${f.file}: ${f.reason}\n`);
  return summary.failed.length ? 1 : 0;
}
