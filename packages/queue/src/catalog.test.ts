import { describe, expect, it } from 'vitest';
import { BATCH_PRIORITY, bullPriority, FOLLOW_UP_PRIORITY, INTERACTIVE_PRIORITY, isFirstLook, MAX_PRIORITY, ROWS_PER_ROUND } from './catalog';

const BULLMQ_MAX = 2_097_152;

describe('bullPriority: client priority and fair share between batches as one BullMQ number', () => {
  it('keeps single jobs ordered by client priority, higher sooner, within BullMQ bounds', () => {
    for (let p = 0; p < MAX_PRIORITY; p++) expect(bullPriority(p + 1)).toBeLessThan(bullPriority(p));
    expect(bullPriority(MAX_PRIORITY)).toBe(FOLLOW_UP_PRIORITY + 1);
    expect(bullPriority(0)).toBeLessThanOrEqual(BULLMQ_MAX);
    expect(bullPriority(0, 10_000_000)).toBeLessThanOrEqual(BULLMQ_MAX);
    expect(bullPriority(-5)).toBe(bullPriority(0));
    expect(bullPriority(500)).toBe(bullPriority(MAX_PRIORITY));
  });

  it('runs an interactive job before every batch row by default, and before batch rows of its own priority', () => {
    expect(bullPriority(INTERACTIVE_PRIORITY)).toBeLessThan(bullPriority(BATCH_PRIORITY, 1));
    expect(bullPriority(BATCH_PRIORITY)).toBeLessThan(bullPriority(BATCH_PRIORITY, 1));
    expect(bullPriority(BATCH_PRIORITY, 99_999)).toBeLessThan(bullPriority(BATCH_PRIORITY - 1));
  });

  it('lets priority say otherwise: a batch row at 60 runs before an interactive job at 50', () => {
    expect(bullPriority(60, 50_000)).toBeLessThan(bullPriority(INTERACTIVE_PRIORITY));
  });

  it('orders rows of one batch by row, and puts round k of every batch before round k+1 of any', () => {
    for (let row = 1; row < 1_000; row++) expect(bullPriority(BATCH_PRIORITY, row + 1)).toBeGreaterThanOrEqual(bullPriority(BATCH_PRIORITY, row));
    // Row 11 of a first batch waits for row 10 of a second one submitted later.
    expect(bullPriority(BATCH_PRIORITY, ROWS_PER_ROUND + 1)).toBeGreaterThan(bullPriority(BATCH_PRIORITY, ROWS_PER_ROUND));
    expect(bullPriority(BATCH_PRIORITY, 1)).toBe(bullPriority(BATCH_PRIORITY, ROWS_PER_ROUND));
    // Distinct rounds reach past the default 100,000-row limit.
    expect(bullPriority(BATCH_PRIORITY, 100_000)).toBeGreaterThan(bullPriority(BATCH_PRIORITY, 99_990));
  });

  it('never gives a fresh job the follow-up number, so every fresh job gets its first look (fairness check)', () => {
    for (let p = 0; p <= MAX_PRIORITY; p++) {
      for (const row of [null, 1, 11, 99_999]) {
        expect(bullPriority(p, row)).not.toBe(FOLLOW_UP_PRIORITY);
        expect(isFirstLook(bullPriority(p, row))).toBe(true);
      }
    }
    expect(isFirstLook(FOLLOW_UP_PRIORITY)).toBe(false);
  });
});
