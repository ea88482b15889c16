/** A failure the CLI explains in one line and exits with: 1 for a failed operation, 2 for a usage mistake. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
