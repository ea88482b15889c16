import { ConflictError } from '@flowq/core';
import { claimIdempotencyKey, completeIdempotencyKey, deleteExpiredIdempotencyKeys, findIdempotencyKey, releaseIdempotencyKey } from '@flowq/db';
import type { ApiDeps } from '../deps';

/** How long an answer is replayed for the same key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/**
 * A key claimed but never answered this long ago belongs to a process that died mid-request:
 * the next request with it may take it over. Longer than the slowest upload of a batch.
 */
export const IDEMPOTENCY_ABANDONED_MS = 15 * 60_000;
/** Expired rows are deleted by the requests themselves, at most this often per API process. */
const CLEANUP_EVERY_MS = 10 * 60_000;

export interface IdempotentAnswer<B> {
  status: number;
  body: B;
}

export interface IdempotentCall<B> {
  ownerKey: string;
  key: string;
  /** The request's fingerprint, when it is known before the work (a parsed JSON body). */
  requestHash?: string;
  /** Does the work; answers the fingerprint too when it was computed while streaming the body. */
  execute(): Promise<IdempotentAnswer<B> & { requestHash?: string }>;
  /** Fingerprints the request without doing the work (to compare with a stored answer). */
  fingerprint?(): Promise<string>;
}

/**
 * `Idempotency-Key` on the create routes: the first request with a key does the work and
 * its answer is stored; the same key with the same request within 24 h gets that answer
 * again (`replayed`), with another request 409, and while the first is still running 409.
 * A request that fails stores nothing, so the client may try again with the same key.
 */
export function createIdempotencyService({ database, logger }: Pick<ApiDeps, 'database' | 'logger'>) {
  const { db } = database;
  let lastCleanup = 0;

  function cleanup(now: number): void {
    if (now - lastCleanup < CLEANUP_EVERY_MS) return;
    lastCleanup = now;
    deleteExpiredIdempotencyKeys(db, new Date(now - IDEMPOTENCY_TTL_MS)).catch((err: unknown) =>
      logger.warn({ err }, 'could not delete expired idempotency keys'),
    );
  }

  return {
    async run<B>(call: IdempotentCall<B>): Promise<IdempotentAnswer<B> & { replayed: boolean }> {
      const now = Date.now();
      cleanup(now);
      const claimed = await claimIdempotencyKey(db, {
        ownerKey: call.ownerKey,
        key: call.key,
        requestHash: call.requestHash ?? '',
        expiredBefore: new Date(now - IDEMPOTENCY_TTL_MS),
        abandonedBefore: new Date(now - IDEMPOTENCY_ABANDONED_MS),
      });
      if (!claimed) {
        const stored = await findIdempotencyKey(db, call.ownerKey, call.key);
        if (!stored || stored.responseStatus === null) {
          throw new ConflictError('Idempotency-Key: a request with this key is still in progress; try again when it has answered', 'Idempotency-Key');
        }
        const hash = call.requestHash ?? (await call.fingerprint?.());
        if (hash !== stored.requestHash) {
          throw new ConflictError('Idempotency-Key: this key was already used with a different request', 'Idempotency-Key');
        }
        return { status: stored.responseStatus, body: stored.responseBody as B, replayed: true };
      }

      let answer: IdempotentAnswer<B> & { requestHash?: string };
      try {
        answer = await call.execute();
      } catch (err) {
        await releaseIdempotencyKey(db, call.ownerKey, call.key).catch(() => undefined);
        throw err;
      }
      const requestHash = answer.requestHash ?? call.requestHash ?? '';
      try {
        await completeIdempotencyKey(db, { ownerKey: call.ownerKey, key: call.key, requestHash, responseStatus: answer.status, responseBody: answer.body });
      } catch (err) {
        // The work is done: answer it. The key stays claimed until IDEMPOTENCY_ABANDONED_MS.
        logger.warn({ err }, 'could not store an idempotent answer');
      }
      return { status: answer.status, body: answer.body, replayed: false };
    },
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
