import { describe, expect, it } from 'vitest';
import { createLookupCache, type LookupResult } from '../../../src/processors/transform/lookupCache.js';

const counting = (answers: Record<string, LookupResult>) => {
  const calls: string[] = [];
  const load = async (key: string) => {
    calls.push(key);
    return answers[key] ?? null;
  };
  return { calls, load };
};

describe('a lookup cache', () => {
  it('answers a fresh hit synchronously and a miss with a promise', async () => {
    let time = 0;
    const cache = createLookupCache({ ttlMs: 100, maxEntries: 10, now: () => time });
    const { calls, load } = counting({ a: '"A"' });
    const miss = cache.get('a', load);
    expect(miss).toBeInstanceOf(Promise);
    expect(await miss).toBe('"A"');
    time = 99;
    expect(cache.get('a', load)).toBe('"A"');
    time = 100;
    expect(cache.get('a', load)).toBeInstanceOf(Promise);
    expect(calls).toEqual(['a', 'a']);
  });

  it('caches that nothing was found', async () => {
    const cache = createLookupCache({ ttlMs: 1000, maxEntries: 10 });
    const { calls, load } = counting({});
    expect(await cache.get('none', load)).toBe(null);
    expect(cache.get('none', load)).toBe(null);
    expect(calls).toEqual(['none']);
  });

  it('shares one load among concurrent misses for a key', async () => {
    for (const ttlMs of [0, 1000]) {
      const cache = createLookupCache({ ttlMs, maxEntries: 10 });
      const { calls, load } = counting({ a: '1' });
      expect(await Promise.all([cache.get('a', load), cache.get('a', load), cache.get('b', load)])).toEqual([
        '1',
        '1',
        null,
      ]);
      expect(calls).toEqual(['a', 'b']);
    }
  });

  it('keeps nothing with a TTL of 0', async () => {
    const cache = createLookupCache({ ttlMs: 0, maxEntries: 10 });
    const { calls, load } = counting({ a: '1' });
    await cache.get('a', load);
    await cache.get('a', load);
    expect(calls).toEqual(['a', 'a']);
  });

  it('does not cache a failed load', async () => {
    const cache = createLookupCache({ ttlMs: 1000, maxEntries: 10 });
    let fail = true;
    const load = async () => {
      if (fail) throw new Error('down');
      return '1';
    };
    await expect(cache.get('a', load)).rejects.toThrow('down');
    fail = false;
    expect(await cache.get('a', load)).toBe('1');
  });

  it('holds at most maxEntries keys, dropping the oldest', async () => {
    const cache = createLookupCache({ ttlMs: 1000, maxEntries: 2 });
    const { calls, load } = counting({});
    for (const key of ['a', 'b', 'c']) await cache.get(key, load);
    expect(cache.get('c', load)).toBe(null);
    expect(cache.get('a', load)).toBeInstanceOf(Promise);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
