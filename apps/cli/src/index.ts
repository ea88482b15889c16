export { runCli, HELP } from './cli';
export type { CliIo } from './io';
export { progressLine, formatDuration, statusText } from './progress-line';
export { downloadName, safeRef } from './file-names';
