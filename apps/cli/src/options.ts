import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createApiClient, type ApiClient } from './api-client';
import { CliError } from './cli-error';
import type { CliIo } from './io';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const CONNECTION_HELP = `  --url URL     flowq API (default: $FLOWQ_URL, else ${DEFAULT_URL})
  --key KEY     API key (default: $FLOWQ_API_KEY)
  -h, --help    this help`;

/** Parses a command's flags (plus --url, --key, --help); a mistake is a usage error (exit 2). */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...CONNECTION_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}; see --help`, 2);
  }
}

export function clientFrom(values: { url?: string | boolean; key?: string | boolean }, io: CliIo): ApiClient {
  const url = (typeof values.url === 'string' ? values.url : undefined) ?? io.env.FLOWQ_URL ?? DEFAULT_URL;
  const key = (typeof values.key === 'string' ? values.key : undefined) ?? io.env.FLOWQ_API_KEY;
  if (!key) throw new CliError('no API key: set FLOWQ_API_KEY or pass --key', 2);
  try {
    new URL(url);
  } catch {
    throw new CliError(`--url / FLOWQ_URL "${url}" is not a URL`, 2);
  }
  return createApiClient({ url, key });
}

export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new CliError(`expected one ${what}; see --help`, 2);
  return positionals[0]!;
}
