import { CliError } from './cli-error';
import { cancelCommand, retryCommand } from './commands/cancel';
import { downloadCommand } from './commands/download';
import { keysCommand } from './commands/keys';
import { resultsCommand } from './commands/results';
import { statusCommand } from './commands/status';
import { submitCommand } from './commands/submit';
import type { CliIo } from './io';

export const HELP = `usage: flowq <command> [options]

Bulk video generation with flowq.

commands:
  submit FILE [--wait] [--out DIR]    upload a CSV or JSON batch, optionally follow it and download the videos
  status BATCH [--watch]              counts, credits, rate and time left of a batch
  results BATCH [--format csv|json]   one line per input row, to stdout
  download BATCH --out DIR            every video and thumbnail (resumable)
  cancel BATCH                        cancel the queued jobs of a batch
  retry BATCH [--status failed]       queue failed jobs again
  keys create|list|revoke             manage API keys (admin key needed)

Configured by FLOWQ_URL and FLOWQ_API_KEY, or --url and --key.
Run flowq <command> --help for a command's options.`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  submit: submitCommand,
  status: statusCommand,
  results: resultsCommand,
  download: downloadCommand,
  cancel: cancelCommand,
  retry: retryCommand,
  keys: keysCommand,
};

/** Runs one CLI invocation and answers its exit status; errors are one clear line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const args = argv.filter((a, i) => !(a === '--' && i === 0));
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`flowq: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`flowq ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`flowq ${name}: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
