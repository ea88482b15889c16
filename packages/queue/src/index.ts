export * from './catalog';
export * from './connection';
export * from './generate-queue';
export * from './callback-hints';
export * from './service-signals';
export * from './waiting-room';
export * from './wake-parked';
export * from './wait-for-redis';
