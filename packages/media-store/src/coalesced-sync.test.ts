import { describe, expect, it } from 'vitest';
import { coalescedSync } from './coalesced-sync';

/** A sync per call that finishes only when the test says so; records what ran, in order. */
function controlledSyncs() {
  const started: { key: string; finish: () => void; fail: (e: Error) => void }[] = [];
  const sync = (key: string) =>
    new Promise<void>((resolve, reject) => {
      started.push({ key, finish: resolve, fail: reject });
    });
  return { sync, started };
}

/** Lets every queued promise callback run. */
const settle = () => new Promise((r) => setImmediate(r));

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
    const { sync, started } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const a = tracked(syncDir('d'));
    await settle();
    expect(started.map((s) => s.key)).toEqual(['d']);
    started[0]!.finish();
    await settle();
    expect(a.done).toBe(true);
  });

  it('a call during a running sync waits for the next one, which every such call shares', async () => {
    const { sync, started } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const first = tracked(syncDir('d'));
    await settle();
    // Two renames land while the first sync runs: it may have missed them.
    const second = tracked(syncDir('d'));
    const third = tracked(syncDir('d'));
    await settle();
    expect(started).toHaveLength(1);
    started[0]!.finish();
    await settle();
    expect(first.done).toBe(true);
    expect(second.done).toBe(false);
    expect(third.done).toBe(false);
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(second.done).toBe(true);
    expect(third.done).toBe(true);
    expect(started).toHaveLength(2);
  });

  it('keeps directories apart', async () => {
    const { sync, started } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const a = tracked(syncDir('a'));
    const b = tracked(syncDir('b'));
    await settle();
    expect(started.map((s) => s.key)).toEqual(['a', 'b']);
    started[1]!.finish();
    await settle();
    expect(b.done).toBe(true);
    expect(a.done).toBe(false);
  });

  it('a failed sync fails the calls it served; the next call starts a new one', async () => {
    const { sync, started } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const first = tracked(syncDir('d'));
    await settle();
    const second = tracked(syncDir('d'));
    started[0]!.fail(new Error('EIO'));
    await settle();
    expect((first.error as Error).message).toBe('EIO');
    // The waiting call still gets its own sync, which started after it called.
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(second.done).toBe(true);
    const third = tracked(syncDir('d'));
    await settle();
    expect(started).toHaveLength(3);
    started[2]!.finish();
    await settle();
    expect(third.done).toBe(true);
  });

  it('after a quiet spell, a call starts a sync of its own again', async () => {
    const { sync, started } = controlledSyncs();
    const syncDir = coalescedSync(sync);
    const first = tracked(syncDir('d'));
    await settle();
    started[0]!.finish();
    await settle();
    expect(first.done).toBe(true);
    const later = tracked(syncDir('d'));
    await settle();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(later.done).toBe(true);
  });
});
