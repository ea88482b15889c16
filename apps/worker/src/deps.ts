import type { WorkerConfig, Logger } from '@flowq/config';
import type { Database } from '@flowq/db';
import type { FlowqMetrics } from '@flowq/metrics';
import type { MediaStore } from '@flowq/media-store';
import type { ArchiveQueue, GenerateQueue, WaitingRoom } from '@flowq/queue';
import type { UseapiClient } from '@flowq/useapi-client';
import type { AccountSlots } from '@flowq/scheduler';
import type { Redis } from 'ioredis';
import type { AccountEffects } from './account-effects';
import type { AccountLeases } from './account-leases';
import type { PoolSnapshots } from './account-pool-snapshot';
import type { DispatchGate } from './dispatch-gate';
import type { ImageLeases } from './image-leases';

export interface WorkerDeps {
  config: WorkerConfig;
  database: Database;
  /** Blocking connection for BullMQ workers (maxRetriesPerRequest: null). */
  redis: Redis;
  queue: GenerateQueue;
  /** Where completed jobs go to have their files copied (MEDIA_ARCHIVE). */
  archiveQueue: ArchiveQueue;
  mediaStore: MediaStore;
  waitingRoom: WaitingRoom;
  client: UseapiClient;
  leases: AccountLeases;
  /** Slots of `POST /images` calls, apart from video slots. */
  imageLeases: ImageLeases;
  slots: AccountSlots;
  /** The image lane of the slots (`imageLeases` takes and frees them); the reconciler restores them after a Redis wipe. */
  imageSlots: AccountSlots;
  /** The pool as the choice functions see it (cached rows, live slot usage). */
  pool: PoolSnapshots;
  effects: AccountEffects;
  gate: DispatchGate;
  logger: Logger;
  /** This process's counters (step and job durations, upstream answers). */
  metrics: FlowqMetrics;
  /** Random source for jitter; tests pin it. */
  random?: () => number;
}
