/**
 * Group commit: calls that arrive while a write is in flight wait for it to finish and then go
 * together, as one write. At low load a call goes alone at once (no added delay); under load the
 * groups grow by themselves, and each call still resolves only when its own write is done.
 *
 * `write` answers one result per item, in order. When a group's write throws, each of its items is
 * written again on its own, so one bad item fails only its own call; an outage fails each of them.
 */
export interface GroupCommit<I, O> {
  submit(item: I): Promise<O>;
  /** Resolves once nothing is waiting or in flight. */
  drain(): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most items in one write. */
  maxGroup: number;
  /** Writes in flight at once: two lets one group be written while the next one gathers. */
  maxInFlight: number;
  /** Told the size of each group written (metrics). */
  onGroup?: (size: number) => void;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit<I, O>(write: (items: I[]) => Promise<O[]>, options: GroupCommitOptions): GroupCommit<I, O> {
  const waiting: Pending<I, O>[] = [];
  let inFlight = 0;
  let idle: (() => void)[] = [];

  const settleIdle = () => {
    if (inFlight > 0 || waiting.length > 0) return;
    const done = idle;
    idle = [];
    for (const d of done) d();
  };

  const writeAlone = async (p: Pending<I, O>) => {
    try {
      const [out] = await write([p.item]);
      p.resolve(out as O);
    } catch (err) {
      p.reject(err);
    }
  };

  const pump = () => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const group = waiting.splice(0, options.maxGroup);
      inFlight++;
      options.onGroup?.(group.length);
      void (async () => {
        try {
          const out = await write(group.map((p) => p.item));
          if (out.length !== group.length) throw new Error(`group write answered ${out.length} results for ${group.length} items`);
          for (const [i, p] of group.entries()) p.resolve(out[i] as O);
        } catch (err) {
          if (group.length === 1) group[0]!.reject(err);
          else await Promise.all(group.map(writeAlone));
        } finally {
          inFlight--;
          pump();
          settleIdle();
        }
      })();
    }
  };

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        pump();
      });
    },
    drain() {
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
  };
}
