import type { FlowqConfig, Logger } from '@flowq/config';
import { createGuardedAgent, nextCallbackAttempt, parseSsrfAllowList } from '@flowq/core';
import { claimDueCallbacks, fixCallbackBody, queueFinishedBatchCallbacks, recordCallbackAttempt, type CallbackDeliveryRow, type Db } from '@flowq/db';
import type { CallbackSecrets } from './callback-secrets';
import { sendCallback } from './callback-sender';

/** The JSON a delivery announces (the job or the batch as the API shows it), or null when it is gone. */
export type RenderCallbackBody = (delivery: CallbackDeliveryRow) => Promise<string | null>;

export interface CallbackDispatcher {
  /** One round: queue ended batches, then send every due delivery. Answers how many were sent. */
  runOnce(): Promise<number>;
  /** Rounds every CALLBACK_POLL_MS until close. */
  start(): void;
  close(): Promise<void>;
}

/**
 * Sends the callback outbox. Every API process runs one; they share the work through
 * Postgres claims (claimDueCallbacks), so replicas never send one attempt twice and a
 * process that stops mid-send only delays its claimed deliveries by a lease.
 */
export function createCallbackDispatcher(deps: {
  db: Db;
  config: FlowqConfig;
  logger: Logger;
  secrets: CallbackSecrets;
  render: RenderCallbackBody;
  /** The clock; the fault suite and tests may pass their own. */
  now?: () => Date;
  random?: () => number;
}): CallbackDispatcher {
  const { db, config, logger, secrets, render } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const allow = parseSsrfAllowList(config.ssrf.allow);
  const agent = createGuardedAgent(allow, { connectTimeoutMs: config.callbacks.timeoutMs });
  const { timeoutMs, retry, concurrency } = config.callbacks;
  // Past the longest send, so a claim is never taken again while its POST may still be running.
  const leaseMs = timeoutMs * 2 + 5_000;

  async function deliver(d: CallbackDeliveryRow): Promise<void> {
    const at = now();
    const fail = (error: string) =>
      recordCallbackAttempt(db, { deliveryId: d.id, attempt: d.attempts, at, statusCode: null, error, durationMs: 0, next: { kind: 'failed' } });
    const secret = await secrets.secretFor(d.ownerKey);
    if (!secret) return fail('no signing secret for the API key that asked for this callback');
    const rendered = d.body ?? (await render(d));
    if (rendered === null) return fail(`${d.jobId ?? d.batchId} no longer exists`);
    const body = d.body ?? (await fixCallbackBody(db, d.id, rendered));
    const answer = await sendCallback(
      { url: d.url, deliveryId: d.id, event: d.event, body, secret },
      { agent, allow, timeoutMs, nowS: () => Math.floor(now().getTime() / 1000) },
    );
    const delivered = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
    const retryAt = delivered ? null : nextCallbackAttempt(d.attempts, d.createdAt, now(), retry, random);
    await recordCallbackAttempt(db, {
      deliveryId: d.id,
      attempt: d.attempts,
      at,
      ...answer,
      next: delivered ? { kind: 'delivered' } : retryAt ? { kind: 'retry', at: retryAt } : { kind: 'failed' },
    });
    if (!delivered)
      logger.info({ deliveryId: d.id, event: d.event, attempt: d.attempts, error: answer.error, gaveUp: !retryAt }, 'client callback not delivered');
  }

  async function runOnce(): Promise<number> {
    await queueFinishedBatchCallbacks(db, now());
    let sent = 0;
    for (;;) {
      const claimed = await claimDueCallbacks(db, { now: now(), limit: concurrency, leaseMs });
      if (claimed.length === 0) return sent;
      await Promise.all(
        claimed.map((d) => deliver(d).catch((err: unknown) => logger.warn({ err, deliveryId: d.id }, 'client callback round failed; retried after its lease'))),
      );
      sent += claimed.length;
    }
  }

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = runOnce()
      .catch((err: unknown) => logger.warn({ err }, 'client callback round failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, config.callbacks.pollMs);
      });
  };
  return {
    runOnce,
    start() {
      tick();
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await agent.close();
    },
  };
}
