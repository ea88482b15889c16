/** Distinct values one label may take before the rest are counted as `other`. */
export const MAX_LABEL_VALUES = 50;

/**
 * A label value that comes from outside (an upstream reason string) kept safe for Prometheus:
 * plain characters only, and at most MAX_LABEL_VALUES distinct values per `seen` set, so a
 * chatty upstream cannot grow the series count without bound.
 */
export function boundedLabel(seen: Set<string>, value: string, max = MAX_LABEL_VALUES): string {
  const clean = value.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64) || 'none';
  if (seen.has(clean)) return clean;
  if (seen.size >= max) return 'other';
  seen.add(clean);
  return clean;
}
