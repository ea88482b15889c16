/** What bench/run.ts hands every bench module's default export. */
export interface BenchOptions {
  /** --json: the runner prints the returned object as the last stdout line. */
  json: boolean;
  /** Flags after the bench name, minus --json. */
  args: string[];
}

export type Bench = (opts: BenchOptions) => Promise<Record<string, unknown>>;

/** `--name=value` or `--name value` from `args`, else undefined. */
export function stringFlag(args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const raw = args[i]!.includes('=') ? args[i]!.slice(args[i]!.indexOf('=') + 1) : args[i + 1];
  if (raw === undefined || raw.startsWith('--')) throw new Error(`--${name} needs a value`);
  return raw;
}

/** `--name=value` or `--name value` from `args`, as a positive number (or 0 with `zero`: a flag whose 0 means "skip"), else `fallback`. */
export function numberFlag(args: readonly string[], name: string, fallback: number, { zero = false }: { zero?: boolean } = {}): number {
  const raw = stringFlag(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero))
    throw new Error(`--${name} must be a ${zero ? 'non-negative' : 'positive'} number, got "${raw}"`);
  return value;
}

export const hasFlag = (args: readonly string[], name: string) => args.includes(`--${name}`);

/** Progress goes to stderr so stdout stays the table (and the JSON line). */
export const progress = (message: string) => process.stderr.write(`${message}\n`);
