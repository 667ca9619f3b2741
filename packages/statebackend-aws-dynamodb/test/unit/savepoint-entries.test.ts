import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptCheckpointError, KeyGroupRange, LocalCheckpointStorage } from '@statebackend/aws-base';
import type { CheckpointedState, KeyGroupEntryWriter } from '@statebackend/aws-base/spi';
import { storedListOf } from '../../src/backend/stored-value-codec.js';
import { commitItem, fromCommitItem } from '../../src/checkpoint/commit-records.js';
import type { CommitRecord } from '../../src/checkpoint/lineage.js';
import { StorageCommitLog } from '../../src/checkpoint/storage-commit-log.js';
import { statesFromJson, statesToJson } from '../../src/savepoint/state-catalog.js';
import { shapeOf, storedValueOf, writeStoredEntry } from '../../src/savepoint/stored-entries.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const withTtl = (lastAccess: number, value: string): Uint8Array => {
  const out = new Uint8Array(8 + value.length);
  new DataView(out.buffer).setFloat64(0, lastAccess);
  out.set(text(value), 8);
  return out;
};

const listState: CheckpointedState = { name: 'visits', kind: 'list', serializers: {} };
const ttlState: CheckpointedState = {
  name: 'seen',
  kind: 'value',
  serializers: {},
  ttl: { ttl: 1000, cleanupFullSnapshot: true },
};

/** Collects what a stored entry becomes in a savepoint. */
function written(): { out: KeyGroupEntryWriter; rows: unknown[][] } {
  const rows: unknown[][] = [];
  const fail = (): never => {
    throw new Error('not used');
  };
  return {
    rows,
    out: {
      writeEntry: (index, key, _namespace, userKey, value, ttl) =>
        rows.push([index, Buffer.from(key).toString(), Buffer.from(value).toString(), userKey, ttl]),
      writeEntryWithIds: fail,
      writeTombstoneWithIds: fail,
    },
  };
}

const entry = (value: Uint8Array) => ({
  state: 'x',
  key: text('k'),
  namespace: new Uint8Array(0),
  mapKey: undefined,
  value,
  expiresAt: undefined,
});

describe('stored entries as savepoint entries', () => {
  it('writes a stored list as its elements, in order', () => {
    const { out, rows } = written();
    const count = writeStoredEntry(
      shapeOf(listState, 2),
      entry(storedListOf([text('a'), text('b')])),
      out,
      true,
      0,
    );
    expect(count).toBe(2);
    expect(rows).toEqual([
      [2, 'k', 'a', undefined, undefined],
      [2, 'k', 'b', undefined, undefined],
    ]);
  });

  it('moves the last-access time of a TTL state beside the value, and drops expired entries when asked', () => {
    const shape = shapeOf(ttlState, 0);
    const { out, rows } = written();
    expect(writeStoredEntry(shape, entry(withTtl(5000, 'v')), out, true, 5999)).toBe(1);
    expect(rows).toEqual([[0, 'k', 'v', undefined, 5000]]);
    // Expired from last access + TTL on, as Flink's TtlUtils has it.
    expect(writeStoredEntry(shape, entry(withTtl(5000, 'v')), out, true, 6000)).toBe(0);
    expect(writeStoredEntry(shape, entry(withTtl(5000, 'v')), out, false, 6000)).toBe(1);
  });

  it('stores a savepoint entry back in the same form', () => {
    const shape = shapeOf(ttlState, 0);
    const raw = {
      stateIndex: 0,
      key: text('k'),
      namespace: new Uint8Array(0),
      userKey: undefined,
      value: text('v'),
      ttlTimestamp: 5000,
    };
    expect(storedValueOf(shape, raw)).toEqual(withTtl(5000, 'v'));
    expect(storedValueOf(shapeOf(listState, 0), raw)).toEqual(text('v'));
  });
});

describe('commit records', () => {
  const record: CommitRecord = {
    checkpointId: 7,
    epoch: 3,
    cutoff: 12,
    start: 0,
    end: 63,
    lineage: [{ epoch: 1, cutoff: 4, start: 0, end: 63 }],
    metadata: text('{"offset":9}'),
    committedAt: 1_700_000_000_000,
    restorable: [6, 7],
    states: statesToJson([listState, ttlState]),
    maxParallelism: 128,
    buckets: 4,
    written: { entries: 3, bytes: 120 },
  };

  it('keep the states, max parallelism and buckets in the table', () => {
    const item = commitItem(new Uint8Array([1, 2]), record);
    expect(fromCommitItem(item)).toEqual(record);
    expect(statesFromJson(fromCommitItem(item).states, 'here')).toEqual([listState, ttlState]);
  });

  it('keep them in a checkpoint storage too', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ddb-commit-'));
    try {
      const log = new StorageCommitLog(
        new LocalCheckpointStorage({ directory, jobId: 'j', operatorId: 'o' }),
      );
      const epoch = await log.claim(KeyGroupRange.of(0, 63));
      await log.commit({ ...record, epoch });
      expect(await log.list()).toEqual([{ ...record, epoch }]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('states that do not parse are a typed error naming the location', () => {
    expect(() => statesFromJson('{', 'dynamodb://t/j/o')).toThrow(CorruptCheckpointError);
    expect(() => statesFromJson('[{"kind":"value"}]', 'dynamodb://t/j/o')).toThrow(/without name/);
    expect(statesFromJson(undefined, 'x')).toEqual([]);
  });
});
