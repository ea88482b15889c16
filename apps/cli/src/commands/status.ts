import type { BatchView } from '../api-client';
import { followBatch } from '../follow-batch';
import type { CliIo } from '../io';
import { clientFrom, CONNECTION_HELP, onePositional, parseCommand } from '../options';
import { statusText } from '../progress-line';

export const STATUS_HELP = `usage: flowq status BATCH [options]

Shows a batch: counts by status, credits spent and still to spend, rate, time left.

  --json        print the API's JSON instead
  --watch       follow it with a live progress line until every job has ended
${CONNECTION_HELP}`;

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { json: { type: 'boolean' }, watch: { type: 'boolean' } });
  if (values.help) {
    io.stdout.write(`${STATUS_HELP}\n`);
    return 0;
  }
  const id = onePositional(positionals, 'BATCH id');
  const client = clientFrom(values, io);
  const batch = values.watch ? await followBatch(client, id, io, 1000) : await client.json<BatchView>(`/v1/batches/${encodeURIComponent(id)}`);
  io.stdout.write(values.json ? `${JSON.stringify(batch, null, 2)}\n` : statusText(batch));
  return 0;
}
