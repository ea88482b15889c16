export { buildApp } from './app';
export { startApiServer, type ApiServer } from './server';
export type { ApiDeps } from './deps';
export { apiKeyId } from './plugins/api-key-auth';
