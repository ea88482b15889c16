export * from './services';
export * from './test-database';
export * from './test-redis';
export * from './global-setup';
export * from './wait-for';
export * from './test-s3-server';
export * from './test-images';
export * from './free-port';
