import { assignToKeyGroup } from '@statebackend/aws-base';
import {
  bucketOf,
  dataPartitionKey,
  decodeSortKey,
  entryPrefix,
  mapCellPrefix,
  metaPartitionKey,
  scopeBytes,
  scopeOfMetaPartitionKey,
  slotSortKey,
} from '../../src/layout/item-key.js';
import { fromItem, slotValueBytes, toItem, valueBudget } from '../../src/layout/slot-item.js';

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

  it('tells the scope of a meta partition key, and of no data partition key', () => {
    const scope = 'orders/enrich-ü';
    expect(scopeOfMetaPartitionKey(metaPartitionKey(scopeBytes(scope)))).toBe(scope);
    for (let keyGroup = 0; keyGroup < 3; keyGroup++) {
      for (const bucket of [0, 2]) {
        expect(
          scopeOfMetaPartitionKey(dataPartitionKey(scopeBytes(scope), keyGroup, bucket)),
        ).toBeUndefined();
      }
    }
    expect(scopeOfMetaPartitionKey(bytes(0, 2))).toBeUndefined();
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
  it('round-trip the newest version and every kept one, tombstones and expiries included', () => {
    const slot = {
      cur: { gen: 4, value: undefined, expiresAt: undefined },
      kept: [
        { gen: 3, value: bytes(1, 2), expiresAt: 1_900_000_000_000 },
        { gen: 2, value: undefined, expiresAt: undefined },
        { gen: 1, value: bytes(9), expiresAt: undefined },
      ],
    };
    expect(fromItem(toItem(bytes(1), bytes(2), slot))).toEqual(slot);
    expect(fromItem(toItem(bytes(1), bytes(2), { cur: slot.cur, kept: [] }))).toEqual({
      cur: slot.cur,
      kept: [],
    });
  });

  it('carry the native TTL attribute only once every version expires', () => {
    const expiring = { gen: 1, value: bytes(1), expiresAt: 1_900_000_000_500 };
    expect(toItem(bytes(1), bytes(2), { cur: expiring, kept: [] }).ttl).toEqual({ N: '1900000001' });
    const forever = { gen: 0, value: bytes(1), expiresAt: undefined };
    expect(toItem(bytes(1), bytes(2), { cur: expiring, kept: [forever] }).ttl).toBeUndefined();
  });

  it('count every version against the item budget', () => {
    const budget = valueBudget(new Uint8Array(40), new Uint8Array(60));
    expect(budget).toBeLessThan(400 * 1024);
    const big = { gen: 1, value: new Uint8Array(200 * 1024), expiresAt: undefined };
    expect(slotValueBytes({ cur: big, kept: [] })).toBeLessThan(budget);
    expect(slotValueBytes({ cur: big, kept: [big] })).toBeGreaterThan(budget);
  });
});
