export { buildApp } from './app';
export { startApiServer, type ApiServer } from './server';
export type { ApiDeps } from './deps';
export { callbackPath } from './routes/webhooks/useapi-callback';
export { apiKeyId } from './plugins/api-key-auth';
