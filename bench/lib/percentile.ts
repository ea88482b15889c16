/**
 * The value below which `p` percent of `samples` fall (nearest-rank on a sorted copy).
 * Nearest-rank rather than interpolation: a reported p99 is always a latency that happened.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
