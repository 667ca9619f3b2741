import type { EntryRef } from '../../src/layout/item-key.js';
import { EntryCache, entryIdOf, newEntry } from '../../src/store/entry-cache.js';

const encoder = new TextEncoder();
const ref = (
  key: string,
  options: { namespace?: string; mapKey?: string; state?: string } = {},
): EntryRef => ({
  state: options.state ?? 'count',
  keyGroup: 0,
  key: encoder.encode(key),
  namespace: encoder.encode(options.namespace ?? ''),
  mapKey: options.mapKey === undefined ? undefined : encoder.encode(options.mapKey),
});
const address = { pk: new Uint8Array(8), prefix: new Uint8Array(8) };

/** Adds a clean entry of `value.length` value bytes and returns its id. */
function add(cache: EntryCache, entryRef: EntryRef, value = new Uint8Array(0), dirty = false): string {
  const entry = newEntry(entryIdOf(entryRef), entryRef, address);
  entry.value = value;
  if (dirty) entry.dirtyGen = 1;
  return cache.add(entry).id;
}

const ids = (cache: EntryCache) => [...cache.all()].map((entry) => entry.id);

describe('the entry cache', () => {
  it('lists its entries least recently used first: a touch moves an entry to the end', () => {
    const cache = new EntryCache(1 << 20);
    const [a, b, c] = ['a', 'b', 'c'].map((key) => add(cache, ref(key))) as [string, string, string];
    expect(ids(cache)).toEqual([a, b, c]);
    cache.touch(a);
    expect(ids(cache)).toEqual([b, c, a]);
    cache.touch(c);
    cache.touch(c);
    expect(ids(cache)).toEqual([b, a, c]);
    cache.touch(b);
    expect(ids(cache)).toEqual([a, c, b]);
  });

  it('finds a value cell of the empty namespace by state and key id, and marks it used', () => {
    const cache = new EntryCache(1 << 20);
    const a = add(cache, ref('a'));
    const b = add(cache, ref('b'));
    add(cache, ref('a', { state: 'other' }));
    expect(cache.touchPlain('count', 'a')?.id).toBe(a);
    expect(ids(cache)[2]).toBe(a);
    expect(cache.touchPlain('other', 'a')?.ref.state).toBe('other');
    expect(cache.touchPlain('count', 'b')?.id).toBe(b);
    expect(cache.touchPlain('count', 'c')).toBeUndefined();
    expect(cache.touchPlain('missing', 'a')).toBeUndefined();
  });

  it('does not find cells of another namespace or map entries by key id', () => {
    const cache = new EntryCache(1 << 20);
    add(cache, ref('a', { namespace: 'window-1' }));
    add(cache, ref('a', { mapKey: 'm' }));
    expect(cache.touchPlain('count', 'a')).toBeUndefined();
    expect(cache.touchPlain('count', 'a\u0100window-1')).toBeUndefined();
  });

  it('evicts clean, unpinned entries least recently used first, and forgets them by key id', () => {
    const value = new Uint8Array(100);
    const probe = new EntryCache(1 << 20);
    add(probe, ref('probe'), value);
    const size = probe.bytes;
    const cache = new EntryCache(3 * size);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((key, i) => add(cache, ref(key), value, i === 1)) as [
      string,
      string,
      string,
      string,
    ];
    cache.touch(a);
    cache.pin(c);
    // Over budget by one entry: b is dirty and c pinned, so the oldest clean one left is d.
    cache.evictClean();
    expect(ids(cache)).toEqual([b, c, a]);
    expect(cache.bytes).toBe(3 * size);
    expect(cache.peek(d)).toBeUndefined();
    expect(cache.touchPlain('count', 'd')).toBeUndefined();
    expect(cache.touchPlain('count', 'a')?.id).toBe(a);
    expect(cache.dirty().map((entry) => entry.id)).toEqual([b]);
  });
});
