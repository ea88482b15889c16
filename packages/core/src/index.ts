export * from './model-catalog';
export * from './video-request';
export * from './job-status';
export * from './errors';
export * from './ids';
export * from './media-id';
export * from './ssrf-guard';
export * from './hash';
