export { startFlowSimulator, type FlowSimulator } from './server';
export { buildApp, API_PREFIX, CONTROL_PREFIX } from './app';
export { Simulator } from './simulator';
export type { FaultControls, LogView, JobInspection } from './control';
export { SIM_ENDPOINTS, SUBMIT_FAULT_KINDS, type SimEndpoint, type SubmitFault, type SubmitFaultKind } from './faults';
export type { RequestLogEntry, LogFilter } from './request-log';
export type { CallbackAttempt } from './callbacks';
export type { AccountStats } from './accounts';
export type { JobRecord } from './job-record';
export type {
  FlowSimulatorOptions,
  AccountConfig,
  AccountTier,
  AccountState,
  CallbackSettings,
  PromptMarkers,
  ResponseShape,
} from './options';
export { mp4OfSize, SAMPLE_MP4 } from './media/mp4';
export { SAMPLE_JPEG } from './media/jpeg';
export { optionsFromEnv, parseRange } from './env';
export { resolveOptions } from './options';
