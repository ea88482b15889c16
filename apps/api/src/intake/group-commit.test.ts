import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit';

/** A write whose calls the test finishes by hand, recording each group it was given. */
function heldWrite() {
  const groups: number[][] = [];
  const finishers: ((fail?: Error) => void)[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      groups.push(items);
      finishers.push((fail) => (fail ? reject(fail) : resolve(items.map((n) => `row ${n}`))));
    });
  return { write, groups, finish: (i: number, fail?: Error) => finishers[i]!(fail) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('writes a lone call at once, and the calls that arrive meanwhile as one group after it', async () => {
    const w = heldWrite();
    const gc = createGroupCommit(w.write, { maxGroup: 100, maxInFlight: 1 });
    const first = gc.submit(1);
    await tick();
    expect(w.groups).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => gc.submit(n));
    await tick();
    expect(w.groups).toEqual([[1]]); // waiting for the write in flight
    w.finish(0);
    expect(await first).toBe('row 1');
    await tick();
    expect(w.groups).toEqual([[1], [2, 3, 4]]);
    w.finish(1);
    expect(await Promise.all(rest)).toEqual(['row 2', 'row 3', 'row 4']);
    await gc.drain();
  });

  it('keeps groups within maxGroup and runs up to maxInFlight writes at once', async () => {
    const w = heldWrite();
    const sizes: number[] = [];
    const gc = createGroupCommit(w.write, { maxGroup: 2, maxInFlight: 2, onGroup: (n) => sizes.push(n) });
    const all = [1, 2, 3, 4, 5].map((n) => gc.submit(n));
    await tick();
    expect(w.groups).toEqual([[1], [2]]);
    w.finish(0);
    await tick();
    expect(w.groups).toEqual([[1], [2], [3, 4]]);
    w.finish(1);
    await tick();
    expect(w.groups).toEqual([[1], [2], [3, 4], [5]]);
    w.finish(2);
    w.finish(3);
    expect(await Promise.all(all)).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5']);
    expect(sizes).toEqual([1, 1, 2, 1]);
  });

  it('when a group write fails, writes each item alone so only the bad one fails', async () => {
    const seen: number[][] = [];
    const gc = createGroupCommit(
      async (items: number[]) => {
        seen.push(items);
        if (items.includes(13)) throw new Error('value 13 refused');
        return items.map((n) => n * 10);
      },
      { maxGroup: 10, maxInFlight: 1 },
    );
    const blocker = gc.submit(1); // in flight alone; the next three gather behind it
    const results = await Promise.allSettled([12, 13, 14].map((n) => gc.submit(n)));
    await blocker;
    expect(seen).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([120, 'value 13 refused', 140]);
  });

  it('a write that answers the wrong number of results fails each call rather than mixing them up', async () => {
    const gc = createGroupCommit(async (items: number[]) => (items.length > 1 ? items.slice(1) : items), { maxGroup: 10, maxInFlight: 1 });
    const first = gc.submit(1);
    const group = await Promise.all([2, 3].map((n) => gc.submit(n)));
    expect(await first).toBe(1);
    expect(group).toEqual([2, 3]); // rewritten alone, each got its own result
  });

  it('drain resolves once every call has been answered', async () => {
    const w = heldWrite();
    const gc = createGroupCommit(w.write, { maxGroup: 10, maxInFlight: 1 });
    const calls = [1, 2].map((n) => gc.submit(n));
    let drained = false;
    const d = gc.drain().then(() => (drained = true));
    await tick();
    w.finish(0);
    await tick();
    expect(drained).toBe(false);
    w.finish(1);
    await Promise.all(calls);
    await d;
    expect(drained).toBe(true);
  });
});
