/** Where a command writes: the process streams in `main.ts`, buffers in tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  /** Relative file paths are read from and written to here. */
  cwd: string;
  stdout: { write(chunk: string | Uint8Array): boolean; isTTY?: boolean };
  stderr: { write(chunk: string): boolean; isTTY?: boolean };
}
