export * from './config';
export * from './env';
export * from './logger';
export * from './shutdown';
export * from './service-reachability';
