import { CliError } from '../cli-error';
import type { CliIo } from '../io';
import { clientFrom, CONNECTION_HELP, onePositional, parseCommand } from '../options';

export const RESULTS_HELP = `usage: flowq results BATCH [--format csv|json] > out.csv

Writes one line per input row, in input order, to stdout: ref, row, prompt, status, video and
thumbnail URLs, seeds, error code and message. Streamed: large batches start at once.

  --format F    csv (default) or json
${CONNECTION_HELP}`;

export async function resultsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { format: { type: 'string', default: 'csv' } });
  if (values.help) {
    io.stdout.write(`${RESULTS_HELP}\n`);
    return 0;
  }
  const id = onePositional(positionals, 'BATCH id');
  if (values.format !== 'csv' && values.format !== 'json') throw new CliError('--format must be csv or json', 2);
  const client = clientFrom(values, io);
  const res = await client.request(`/v1/batches/${encodeURIComponent(id)}/results?format=${values.format}`);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) io.stdout.write(chunk);
  return 0;
}
