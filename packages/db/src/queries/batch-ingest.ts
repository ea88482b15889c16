import type pg from 'pg';
import type { ExtendRequest, ImageRequest, JobKind, UpscaleRequest, VideoRequest } from '@flowq/core';
import type { BatchRow } from '../schema';

/** One accepted batch row, ready to become a job. */
export interface BatchJobInsert {
  id: string;
  kind: JobKind;
  request: VideoRequest | ImageRequest | UpscaleRequest | ExtendRequest;
  priority: number;
  metadata: Record<string, unknown> | null;
  batchRow: number;
  ref: string | null;
  callbackSecret: string;
}

export interface BatchIngestScope {
  batchId: string;
  ownerKey: string | null;
  createdAt: Date;
  deadlineAt: Date;
  /** The batch has a budget: every job checks it before it is submitted. */
  budgeted: boolean;
}

/**
 * Insert many job rows in one statement. One array parameter per column (unnest) instead
 * of one parameter per value: any number of rows fits, and Postgres plans it once.
 * Runs on the caller's client so the whole batch shares one transaction.
 */
export async function insertBatchJobRows(client: pg.ClientBase, scope: BatchIngestScope, rows: readonly BatchJobInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into jobs (id, kind, request, priority, metadata, batch_row, ref, callback_secret, batch_id, owner_key, created_at, updated_at, deadline_at, budgeted)
     select t.id, t.kind, t.request, t.priority, t.metadata, t.batch_row, t.ref, t.secret, $8, $9, $10, $10, $11, $12
     from unnest($1::text[], $2::jsonb[], $3::int[], $4::jsonb[], $5::int[], $6::text[], $7::text[], $13::text[])
       as t(id, request, priority, metadata, batch_row, ref, secret, kind)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => JSON.stringify(r.request)),
      rows.map((r) => r.priority),
      rows.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null)),
      rows.map((r) => r.batchRow),
      rows.map((r) => r.ref),
      rows.map((r) => r.callbackSecret),
      scope.batchId,
      scope.ownerKey,
      scope.createdAt,
      scope.deadlineAt,
      scope.budgeted,
      rows.map((r) => r.kind),
    ],
  );
}

export interface NewBatch {
  id: string;
  name: string | null;
  ownerKey: string | null;
  status: BatchRow['status'];
  total: number;
  accepted: number;
  rejected: number;
  defaults: Record<string, unknown> | null;
  errors: BatchRow['errors'];
  createdAt: Date;
  /** Called, signed, once every job of the batch has ended. */
  callbackUrl?: string | null;
  maxCredits?: number | null;
}

/** The batch row itself, written last in the ingest transaction with its final counts. */
export async function insertBatchRecord(client: pg.ClientBase, batch: NewBatch): Promise<void> {
  await client.query(
    `insert into batches (id, name, owner_key, status, total, accepted, rejected, defaults, errors, created_at, updated_at, callback_url, max_credits)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)`,
    [
      batch.id,
      batch.name,
      batch.ownerKey,
      batch.status,
      batch.total,
      batch.accepted,
      batch.rejected,
      batch.defaults ? JSON.stringify(batch.defaults) : null,
      batch.errors ? JSON.stringify(batch.errors) : null,
      batch.createdAt,
      batch.callbackUrl ?? null,
      batch.maxCredits ?? null,
    ],
  );
}
