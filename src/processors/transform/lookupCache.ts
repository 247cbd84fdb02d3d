/** What a lookup found: JSON text, or null when the store has nothing for the key. */
export type LookupResult = string | null;

export interface LookupCache {
  /**
   * The cached result for `key`, synchronously when it is cached and fresh; otherwise a
   * promise of `load(key)`. Concurrent misses for one key share one load. A failed load is
   * not cached: the next record tries the store again.
   */
  get(key: string, load: (key: string) => Promise<LookupResult>): LookupResult | Promise<LookupResult>;
  clear(): void;
}

/**
 * A cache of lookups, one per compiled enrich step, so a new version starts cold and never
 * sees another version's values. "Nothing found" is cached too, or a key absent from the
 * store would cost a round trip per record. With `ttlMs` 0 nothing is kept, but concurrent
 * misses still share a load. Past `maxEntries` the oldest entry goes (insertion order).
 */
export const createLookupCache = (options: {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}): LookupCache => {
  const { ttlMs, maxEntries } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { result: LookupResult; expiresAt: number }>();
  const inFlight = new Map<string, Promise<LookupResult>>();

  const store = (key: string, result: LookupResult) => {
    if (ttlMs <= 0) return;
    entries.delete(key);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { result, expiresAt: now() + ttlMs });
  };

  return {
    get(key, load) {
      const entry = entries.get(key);
      if (entry !== undefined) {
        if (entry.expiresAt > now()) return entry.result;
        entries.delete(key);
      }
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const loading = load(key).then(
        (result) => {
          inFlight.delete(key);
          store(key, result);
          return result;
        },
        (error: unknown) => {
          inFlight.delete(key);
          throw error;
        },
      );
      inFlight.set(key, loading);
      return loading;
    },
    clear() {
      entries.clear();
    },
  };
};
