import type { RawBatchRow } from './row-fields';

/** The items of a JSON batch as rows: each item is a job request plus its own `ref` and `metadata`. */
export function* jsonRows(items: readonly unknown[]): Generator<RawBatchRow> {
  for (const [i, item] of items.entries()) {
    const row = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      yield { row, fields: null, issues: [{ column: '', message: 'must be an object with at least a prompt' }] };
      continue;
    }
    const { ref, metadata, ...fields } = item as Record<string, unknown>;
    yield { row, fields, ref, metadata };
  }
}
