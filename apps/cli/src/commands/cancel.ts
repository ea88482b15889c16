import type { BatchView } from '../api-client';
import type { CliIo } from '../io';
import { clientFrom, CONNECTION_HELP, onePositional, parseCommand } from '../options';

export const CANCEL_HELP = `usage: flowq cancel BATCH

Cancels a batch's queued jobs; jobs already submitted to Google finish.

${CONNECTION_HELP}`;

export const RETRY_HELP = `usage: flowq retry BATCH [--status failed|cancelled]

Queues a batch's failed (or cancelled) jobs again as fresh jobs.

  --status S    failed (default) or cancelled
${CONNECTION_HELP}`;

export async function cancelCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, {});
  if (values.help) {
    io.stdout.write(`${CANCEL_HELP}\n`);
    return 0;
  }
  const id = onePositional(positionals, 'BATCH id');
  const b = await clientFrom(values, io).json<BatchView & { cancelled: number }>(`/v1/batches/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  const still = b.counts.running + b.counts.submitting;
  io.stdout.write(`cancelled ${b.cancelled} queued jobs of ${b.id}${still ? `; ${still} already running will finish` : ''}\n`);
  return 0;
}

export async function retryCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { status: { type: 'string', default: 'failed' } });
  if (values.help) {
    io.stdout.write(`${RETRY_HELP}\n`);
    return 0;
  }
  const id = onePositional(positionals, 'BATCH id');
  const b = await clientFrom(values, io).json<BatchView & { requeued: number }>(
    `/v1/batches/${encodeURIComponent(id)}/retry?status=${encodeURIComponent(values.status ?? 'failed')}`,
    { method: 'POST' },
  );
  io.stdout.write(`requeued ${b.requeued} ${values.status} jobs of ${b.id}\n`);
  return 0;
}
