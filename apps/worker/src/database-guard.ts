import type { Logger } from '@flowq/config';
import { isDatabaseUnavailable } from '@flowq/db';

export interface DatabaseGuard {
  /**
   * Called with any error a step threw. True when it was Postgres being unreachable: the
   * guard then pauses the worker (once) and probes until Postgres answers, then resumes it.
   */
  noteError(err: unknown): boolean;
  readonly down: boolean;
  stop(): void;
}

/**
 * Postgres holds the truth, so without it a worker can decide nothing: instead of failing
 * steps (and burning attempts), it stops taking jobs and asks Postgres every `probeMs` until
 * it answers. Steps caught mid-way are delayed, not failed; their next run starts from the row.
 */
export function createDatabaseGuard(deps: {
  ping: () => Promise<unknown>;
  pause: () => Promise<void>;
  resume: () => Promise<void>;
  logger: Logger;
  probeMs?: number;
  /** What to tell a person when Postgres goes away (which address, what to do). */
  unreachableMessage?: string;
}): DatabaseGuard {
  const probeMs = deps.probeMs ?? 1_000;
  let down = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let since = 0;

  const probe = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    try {
      await deps.ping();
    } catch {
      timer = setTimeout(() => void probe(), probeMs);
      return;
    }
    down = false;
    deps.logger.info({ downMs: Date.now() - since }, 'PostgreSQL is reachable again: the worker resumes');
    await deps.resume().catch((err) => deps.logger.error({ err }, 'could not resume the worker'));
  };

  return {
    get down() {
      return down;
    },
    noteError(err) {
      if (!isDatabaseUnavailable(err)) return false;
      if (down || stopped) return true;
      down = true;
      since = Date.now();
      deps.logger.error({ reason: (err as Error).message }, `${deps.unreachableMessage ?? 'PostgreSQL is not reachable'}; the worker pauses until it answers`);
      void deps.pause().catch((e) => deps.logger.error({ err: e }, 'could not pause the worker'));
      timer = setTimeout(() => void probe(), probeMs);
      return true;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
