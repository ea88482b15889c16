import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { assertStorable } from '../plugins/input-guard';
import { type JsonBatchLayout, parseItem } from './json-batch-body';
import type { RawBatchRow } from './row-fields';

/** Items parsed between two turns of the event loop. */
const ITEMS_PER_TURN = 100;

/**
 * The items of a JSON batch as rows, each parsed on its own as it is needed: each item is a
 * job request plus its own `ref` and `metadata`.
 */
export async function* jsonRows(layout: JsonBatchLayout): AsyncGenerator<RawBatchRow> {
  const count = layout.items?.starts.length ?? 0;
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % ITEMS_PER_TURN === 0) await yieldToEventLoop();
    const item = parseItem(layout, i);
    assertStorable(item, `items.${i}`);
    const row = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      yield { row, fields: null, issues: [{ column: '', message: 'must be an object with at least a prompt' }] };
      continue;
    }
    const { ref, metadata, ...fields } = item as Record<string, unknown>;
    yield { row, fields, ref, metadata };
  }
}
