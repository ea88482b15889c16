import { optionsFromEnv } from './env';
import { startFlowSimulator } from './server';

const sim = await startFlowSimulator(optionsFromEnv(process.env));
console.log(`Flow simulator listening: ${sim.baseUrl} (seed ${sim.seed}, control routes at ${sim.origin}/_sim)`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing Flow simulator`);
  sim.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
