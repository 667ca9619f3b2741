import { assignToKeyGroup } from '@statebackend/aws-base';
import {
  bucketOf,
  dataPartitionKey,
  decodeSortKey,
  entryPrefix,
  mapCellPrefix,
  metaPartitionKey,
  slotSortKey,
} from '../../src/layout/item-key.js';
import { fromItem, toItem, valueLimit } from '../../src/layout/slot-item.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('item keys', () => {
  it('sort keys round-trip every component as bytes, including bytes that are not valid text', () => {
    const ref = {
      state: 'späti',
      keyGroup: 3,
      key: bytes(0, 255, 10),
      namespace: bytes(7),
      mapKey: bytes(0xc3, 0x28),
    };
    const decoded = decodeSortKey(slotSortKey(entryPrefix(ref), 4_000_000_000));
    expect(decoded).toEqual({
      state: 'späti',
      key: ref.key,
      namespace: ref.namespace,
      mapKey: ref.mapKey,
      epoch: 4_000_000_000,
      prefix: entryPrefix(ref),
    });
  });

  it('keys whose bytes run into each other never share a sort key', () => {
    const a = entryPrefix({ state: 's', keyGroup: 0, key: bytes(1, 2), namespace: bytes(3) });
    const b = entryPrefix({ state: 's', keyGroup: 0, key: bytes(1), namespace: bytes(2, 3) });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('a map cell prefix starts every entry of that map and no value cell', () => {
    const cell = { state: 'm', keyGroup: 1, key: bytes(5), namespace: bytes() };
    const prefix = Buffer.from(mapCellPrefix(cell));
    expect(
      Buffer.from(entryPrefix({ ...cell, mapKey: bytes(9) }))
        .subarray(0, prefix.length)
        .equals(prefix),
    ).toBe(true);
    expect(Buffer.from(entryPrefix(cell)).subarray(0, prefix.length).equals(prefix)).toBe(false);
  });

  it('data and meta partitions of two scopes never collide', () => {
    const scope = new TextEncoder().encode('job/op');
    const data = Buffer.from(dataPartitionKey(scope, 258, 3));
    expect([...data.subarray(scope.length)]).toEqual([0, 1, 1, 2, 3]);
    expect(Buffer.from(metaPartitionKey(scope)).equals(data.subarray(0, scope.length + 2))).toBe(false);
  });

  it('spreads the keys of one key group over its buckets', () => {
    const counts = [0, 0, 0, 0];
    let seen = 0;
    for (let i = 0; seen < 400; i++) {
      const key = new TextEncoder().encode(`user-${i}`);
      if (assignToKeyGroup(key, 128) !== 5) continue;
      seen++;
      counts[bucketOf(key, 128, 4)] = (counts[bucketOf(key, 128, 4)] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(60);
  });
});

describe('slot items', () => {
  it('round-trip the newest and the kept version, tombstones included', () => {
    const slot = {
      cur: { gen: 4, value: undefined, expiresAt: undefined },
      prev: { gen: 2, value: bytes(1, 2), expiresAt: 1_900_000_000_000 },
    };
    expect(fromItem(toItem(bytes(1), bytes(2), slot))).toEqual(slot);
  });

  it('carry the native TTL attribute only once every version expires', () => {
    const expiring = { gen: 1, value: bytes(1), expiresAt: 1_900_000_000_500 };
    expect(toItem(bytes(1), bytes(2), { cur: expiring, prev: undefined }).ttl).toEqual({ N: '1900000001' });
    const forever = { gen: 0, value: bytes(1), expiresAt: undefined };
    expect(toItem(bytes(1), bytes(2), { cur: expiring, prev: forever }).ttl).toBeUndefined();
  });

  it('leave room in an item for two values of the limit', () => {
    const limit = valueLimit(new Uint8Array(40), new Uint8Array(60));
    expect(2 * limit + 100).toBeLessThan(400 * 1024);
    expect(limit).toBeGreaterThan(190 * 1024);
  });
});
