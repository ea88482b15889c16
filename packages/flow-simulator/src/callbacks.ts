import type { CallbackSettings } from './options';
import type { Rng } from './rng';

export interface CallbackAttempt {
  at: number;
  jobid: string;
  /** The job status the callback reports. */
  status: string;
  url: string;
  outcome: 'sent' | 'dropped' | 'error';
  /** HTTP status of the receiver, when it answered. */
  httpStatus?: number;
  error?: string;
}

const SEND_TIMEOUT_MS = 5000;

/**
 * Sends job records to `replyUrl`. Callbacks of one job leave in order (created, started,
 * completed), each after the previous one was answered, so receivers see a sane sequence
 * unless a fault (drop, duplicate, delay) says otherwise. Receivers' answers are ignored:
 * useapi documents no retries.
 */
export class CallbackSender {
  settings: CallbackSettings;
  readonly attempts: CallbackAttempt[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(
    settings: CallbackSettings,
    private readonly rng: Rng,
  ) {
    this.settings = { ...settings };
  }

  send(jobid: string, url: string, status: string, record: unknown): void {
    if (this.closed) return;
    const at = Date.now();
    const { mode, dropRate, duplicate, delayMs } = this.settings;
    // Drawn for every callback, so the drop pattern depends only on the seed and the callback order.
    const lost = this.rng.next() < dropRate;
    if (mode === 'drop' || lost) {
      this.attempts.push({ at, jobid, status, url, outcome: 'dropped' });
      return;
    }
    const body = JSON.stringify(record);
    const delay = mode === 'delay' ? delayMs : 0;
    let chain = this.chains.get(jobid) ?? Promise.resolve();
    for (let copy = 0; copy < (duplicate ? 2 : 1); copy++) {
      chain = chain.then(async () => {
        if (delay > 0) await this.sleep(delay);
        if (!this.closed) await this.post(jobid, url, status, body);
      });
    }
    this.chains.set(jobid, chain);
    void chain.finally(() => {
      if (this.chains.get(jobid) === chain) this.chains.delete(jobid);
    });
  }

  /** Resolves when every callback queued so far was sent or given up. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  clearAttempts(): void {
    this.attempts.length = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
    for (const controller of this.controllers) controller.abort();
    await Promise.allSettled([...this.chains.values()]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        wake: resolve,
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
      };
      this.sleepers.add(sleeper);
    });
  }

  private async post(jobid: string, url: string, status: string, body: string): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
    this.controllers.add(controller);
    const at = Date.now();
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
      await res.arrayBuffer().catch(() => undefined);
      this.attempts.push({ at, jobid, status, url, outcome: 'sent', httpStatus: res.status });
    } catch (err) {
      this.attempts.push({ at, jobid, status, url, outcome: 'error', error: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }
}
