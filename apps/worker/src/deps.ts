import type { FlowqConfig, Logger } from '@flowq/config';
import type { Database } from '@flowq/db';
import type { GenerateQueue } from '@flowq/queue';
import type { UseapiClient } from '@flowq/useapi-client';
import type { Redis } from 'ioredis';
import type { AccountLeases } from './account-leases';

export interface WorkerDeps {
  config: FlowqConfig;
  database: Database;
  /** Blocking connection for BullMQ workers (maxRetriesPerRequest: null). */
  redis: Redis;
  queue: GenerateQueue;
  client: UseapiClient;
  leases: AccountLeases;
  logger: Logger;
  /** Random source for jitter; tests pin it. */
  random?: () => number;
}
