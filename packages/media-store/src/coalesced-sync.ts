/**
 * Shares fsyncs among callers that arrive together. A caller needs a sync that STARTED after it
 * called (one already running may have missed its change): with none running, one starts at
 * once; with one running, the caller waits for the next, which starts when the running one ends
 * and serves everyone who arrived meanwhile. So N concurrent renames into a directory cost about
 * two directory fsyncs, not N, and none returns before its own rename is durable.
 */
export function coalescedSync(sync: (key: string) => Promise<void>): (key: string) => Promise<void> {
  const states = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();

  const start = (key: string, state: { running?: Promise<void>; next?: Promise<void> }): Promise<void> => {
    const running: Promise<void> = Promise.resolve()
      .then(() => sync(key))
      .finally(() => {
        if (state.running === running) state.running = undefined;
        if (!state.running && !state.next && states.get(key) === state) states.delete(key);
      });
    state.running = running;
    return running;
  };

  return (key) => {
    let state = states.get(key);
    if (!state) {
      state = {};
      states.set(key, state);
    }
    if (!state.running) return start(key, state);
    if (state.next) return state.next;
    const waiting = state;
    const next = state.running
      .then(
        () => {},
        () => {},
      )
      .then(() => {
        waiting.next = undefined;
        return start(key, waiting);
      });
    waiting.next = next;
    return next;
  };
}
