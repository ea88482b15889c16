export * from './bounded-label';
export * from './cached-read';
export * from './flowq-metrics';
export * from './metrics-access';
export * from './metrics-server';
export * from './world-gauges';
