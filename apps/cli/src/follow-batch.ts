import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, BatchView } from './api-client';
import type { CliIo } from './io';
import { progressLine, unfinishedOf } from './progress-line';

/**
 * Shows a batch's progress until no job is left to run. On a terminal the line is redrawn
 * in place; piped, a line is printed whenever it changes, so logs stay readable.
 */
export async function followBatch(client: ApiClient, id: string, io: CliIo, intervalMs: number): Promise<BatchView> {
  const tty = Boolean(io.stderr.isTTY);
  let last = '';
  for (;;) {
    const batch = await client.json<BatchView>(`/v1/batches/${encodeURIComponent(id)}`);
    const line = progressLine(batch);
    if (tty) io.stderr.write(`\r\x1b[2K${line}`);
    else if (line !== last) io.stderr.write(`${line}\n`);
    last = line;
    if (unfinishedOf(batch) === 0) {
      if (tty) io.stderr.write('\n');
      return batch;
    }
    await sleep(intervalMs);
  }
}
