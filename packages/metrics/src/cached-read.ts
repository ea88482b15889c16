/**
 * `read` at most once per `ttlMs`; callers that ask meanwhile share the last answer or the
 * read in flight. A failed read is not kept, so the next caller tries again.
 */
export function cachedRead<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let value: { at: number; promise: Promise<T> } | null = null;
  return () => {
    if (value && now() - value.at < ttlMs) return value.promise;
    const entry = { at: now(), promise: read() };
    value = entry;
    entry.promise.catch(() => {
      if (value === entry) value = null;
    });
    return entry.promise;
  };
}
