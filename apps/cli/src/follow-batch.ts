import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, BatchView } from './api-client';
import type { CliIo } from './io';
import { movingOf, progressLine } from './progress-line';

/**
 * Shows a batch's progress until no job is left to run (jobs waiting for a bigger budget do not
 * run until someone raises it: following stops and says so). On a terminal the line is redrawn
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
    if (movingOf(batch) === 0) {
      if (tty) io.stderr.write('\n');
      const waiting = batch.counts.over_budget ?? 0;
      if (waiting > 0) {
        io.stderr.write(
          `${waiting} jobs wait over budget (maxCredits ${batch.credits.maxCredits ?? '-'}, ${batch.credits.committed ?? '-'} committed): raise it with PATCH /v1/batches/${id} {"maxCredits": N}\n`,
        );
      }
      return batch;
    }
    await sleep(intervalMs);
  }
}
