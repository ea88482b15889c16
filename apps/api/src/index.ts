export { buildApp } from './app';
export { startApiServer, type ApiServer } from './server';
export type { ApiDeps } from './deps';
export { callbackPath } from './routes/webhooks/useapi-callback';
export { apiKeyId } from './plugins/api-key-auth';
export { createCallbackDispatcher, type CallbackDispatcher } from './callbacks/callback-dispatcher';
export { createCallbackSecrets } from './callbacks/callback-secrets';
export { createCallbackBodies } from './callbacks/callback-bodies';
