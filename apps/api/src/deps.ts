import type { FlowqConfig, Logger } from '@flowq/config';
import type { Database } from '@flowq/db';
import type { FlowqMetrics } from '@flowq/metrics';
import type { GenerateQueue } from '@flowq/queue';
import type { UseapiClient } from '@flowq/useapi-client';
import type { Redis } from 'ioredis';

/** Everything the API needs, built by the caller (server.ts or a test) and closed by it. */
export interface ApiDeps {
  config: FlowqConfig;
  database: Database;
  /** Producer connection: fails fast while Redis is away. */
  redis: Redis;
  queue: GenerateQueue;
  logger: Logger;
  /** useapi.net (or the simulator): `POST /v1/accounts/sync` reads its accounts. */
  client: UseapiClient;
  /** Counters of this process; `pnpm start` shares one set between its API and worker. Default: the API's own. */
  metrics?: FlowqMetrics;
}
