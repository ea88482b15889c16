import { runCli } from './cli';

// `pnpm flowq` runs from the repository root; INIT_CWD is where the user typed it.
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
