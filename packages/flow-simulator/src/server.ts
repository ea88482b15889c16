import type { AddressInfo } from 'node:net';
import { API_PREFIX, buildApp } from './app';
import { faultControls, inspectJob, logView, type FaultControls, type JobInspection, type LogView } from './control';
import { resolveOptions, type FlowSimulatorOptions } from './options';
import { Simulator } from './simulator';

export interface FlowSimulator {
  /** `http://host:port/v1/google-flow`: what a useapi client takes as its base URL. */
  readonly baseUrl: string;
  /** `http://host:port`: media URLs and `/_sim` control routes live here. */
  readonly origin: string;
  readonly port: number;
  /** The seed in use (the given one, or the random one drawn when none was given). */
  readonly seed: number | string;
  readonly faults: FaultControls;
  readonly log: LogView;
  /** A job's internal state and random plan (generation time, clip seeds), or undefined. */
  inspectJob(jobid: string): JobInspection | undefined;
  /** Resolves once every callback queued so far was delivered, dropped or failed. */
  drainCallbacks(): Promise<void>;
  /** The mediaGenerationIds of the images uploaded to `email` (`POST /assets`), oldest first. */
  assetsOf(email: string): string[];
  /** Back to the configured state: no jobs, no faults, fresh accounts, empty log, the seed replays. */
  reset(): void;
  /** Stops job timers and pending callbacks, answers held sync requests with 503, closes the server. */
  close(): Promise<void>;
}

export async function startFlowSimulator(options: FlowSimulatorOptions = {}): Promise<FlowSimulator> {
  const resolved = resolveOptions(options);
  const sim = new Simulator(resolved);
  let origin = '';
  const app = buildApp(sim, { logger: resolved.logger, baseUrl: () => `${origin}${API_PREFIX}` });
  await app.listen({ port: resolved.port, host: resolved.host });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;
  sim.setOrigin(origin);

  let closing: Promise<void> | undefined;
  return {
    baseUrl: `${origin}${API_PREFIX}`,
    origin,
    port: address.port,
    seed: resolved.seed,
    faults: faultControls(sim),
    log: logView(sim),
    inspectJob: (jobid) => inspectJob(sim, jobid),
    drainCallbacks: () => sim.callbacks.drain(),
    assetsOf: (email) => sim.assetsOf(email),
    reset: () => sim.reset(),
    close: () => {
      closing ??= (async () => {
        await sim.close();
        await app.close();
      })();
      return closing;
    },
  };
}
