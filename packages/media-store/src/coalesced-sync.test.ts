import { describe, expect, it } from 'vitest';
import { coalescedSync } from './coalesced-sync';

/** Lets every queued promise callback run. */
const settle = () => new Promise((r) => setImmediate(r));

/** A sync per call that finishes only when the test says so; records what ran, in order. */
function controlledSyncs() {
  const started: { key: string; finish: () => void; fail: (e: Error) => void }[] = [];
  const sync = (key: string) =>
    new Promise<void>((resolve, reject) => {
      started.push({ key, finish: resolve, fail: reject });
    });
  /** Ends the `i`th sync started, and lets what waited on it run. */
  const finish = async (i: number) => {
    started[i]!.finish();
    await settle();
  };
  return { sync, started, finish };
}

/** Whether each promise has resolved yet. */
function tracked(p: Promise<void>) {
  const state = { done: false, error: undefined as unknown };
  p.then(
    () => {
      state.done = true;
    },
    (e) => {
      state.error = e;
    },
  );
  return state;
}

describe('coalescedSync', () => {
  it('starts a sync at once when none is running', async () => {
    const { sync, started, finish } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const a = tracked(syncDir('d'));
    await settle();
    expect(started.map((s) => s.key)).toEqual(['d']);
    await finish(0);
    expect(a.done).toBe(true);
  });

  it('a call during a running sync waits for the next one, which every such call shares', async () => {
    const { sync, started, finish } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const first = tracked(syncDir('d'));
    await settle();
    // Two renames land while the first sync runs: it may have missed them.
    const second = tracked(syncDir('d'));
    const third = tracked(syncDir('d'));
    await settle();
    expect(started).toHaveLength(1);
    await finish(0);
    expect(first.done).toBe(true);
    expect(second.done).toBe(false);
    expect(third.done).toBe(false);
    expect(started).toHaveLength(2);
    await finish(1);
    expect(second.done).toBe(true);
    expect(third.done).toBe(true);
    expect(started).toHaveLength(2);
  });

  it('keeps directories apart', async () => {
    const { sync, started, finish } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const a = tracked(syncDir('a'));
    const b = tracked(syncDir('b'));
    await settle();
    expect(started.map((s) => s.key)).toEqual(['a', 'b']);
    await finish(1);
    expect(b.done).toBe(true);
    expect(a.done).toBe(false);
  });

  it('a failed sync fails the calls it served; the next call starts a new one', async () => {
    const { sync, started, finish } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const first = tracked(syncDir('d'));
    await settle();
    const second = tracked(syncDir('d'));
    started[0]!.fail(new Error('EIO'));
    await settle();
    expect((first.error as Error).message).toBe('EIO');
    // The waiting call still gets its own sync, which started after it called.
    expect(started).toHaveLength(2);
    await finish(1);
    expect(second.done).toBe(true);
    const third = tracked(syncDir('d'));
    await settle();
    expect(started).toHaveLength(3);
    await finish(2);
    expect(third.done).toBe(true);
  });

  it('after a quiet spell, a call starts a sync of its own again', async () => {
    const { sync, started, finish } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const first = tracked(syncDir('d'));
    await settle();
    await finish(0);
    expect(first.done).toBe(true);
    const later = tracked(syncDir('d'));
    await settle();
    expect(started).toHaveLength(2);
    await finish(1);
    expect(later.done).toBe(true);
  });
});
