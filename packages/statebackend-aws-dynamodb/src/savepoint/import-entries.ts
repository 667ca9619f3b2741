import { CorruptCheckpointError, type KeyGroupRange } from '@statebackend/aws-base';
import {
  checkSourceMaxParallelism,
  decodeVerifiedBlock,
  type KeyedStateSource,
  type VerifiedBlock,
} from '@statebackend/aws-base/spi';
import { storedListOf } from '../backend/stored-value-codec.js';
import type { EntryRef } from '../layout/item-key.js';
import type { DynamoDbStateStore } from '../store/dynamodb-state-store.js';
import { type StateShape, shapeOf, storedValueOf } from './stored-entries.js';

/** What an import writes for one stored entry. */
interface Put {
  readonly ref: EntryRef;
  readonly value: Uint8Array;
  readonly expiresAt: number | undefined;
}

/**
 * Writes every entry of `source` in `range` (a savepoint, or another backend's checkpoint) into
 * `store` as its first changes, in the form the keyed backend stores; the next checkpoint commits
 * them. With `nativeTtl`, entries carry their expiry for DynamoDB's TTL. Returns the number of
 * entries read.
 *
 * @throws KeyGroupArgumentError when the source's max parallelism is not `maxParallelism`.
 */
export async function importEntries(
  store: DynamoDbStateStore,
  source: KeyedStateSource,
  range: KeyGroupRange,
  maxParallelism: number,
  nativeTtl: boolean,
): Promise<number> {
  checkSourceMaxParallelism(source, maxParallelism);
  const blocks: VerifiedBlock[] = [];
  let entries = 0;
  await source.forEachBlock(range, (block) => {
    blocks.push(block);
    entries += block.entries;
  });
  const shapes = new Map<string, StateShape>();
  const shape = (block: VerifiedBlock, index: number): StateShape => {
    const state = block.states[index];
    if (state === undefined)
      throw new CorruptCheckpointError(source.description, `an entry names state ${index}`);
    let found = shapes.get(state.name);
    if (found === undefined) {
      found = shapeOf(state, index);
      shapes.set(state.name, found);
    }
    return found;
  };
  for (const block of blocks) {
    for (const put of putsOf(block, shape, nativeTtl)) {
      await store.put(put.ref, put.value, { expiresAt: put.expiresAt });
    }
  }
  return entries;
}

/** The stored entries of one block: values and map entries one by one, a list's elements as one. */
function putsOf(
  block: VerifiedBlock,
  shape: (block: VerifiedBlock, index: number) => StateShape,
  nativeTtl: boolean,
): Put[] {
  const puts: Put[] = [];
  let list: { ref: EntryRef; elements: Uint8Array[]; expiresAt: number | undefined } | undefined;
  const closeList = (): void => {
    if (list !== undefined)
      puts.push({ ref: list.ref, value: storedListOf(list.elements), expiresAt: list.expiresAt });
    list = undefined;
  };
  decodeVerifiedBlock(block.bytes, block.entries, block.keyGroup, (keyGroup, entry) => {
    const s = shape(block, entry.stateIndex);
    const value = storedValueOf(s, entry);
    const expiresAt =
      nativeTtl && s.ttlMs !== undefined && entry.ttlTimestamp !== undefined
        ? entry.ttlTimestamp + s.ttlMs
        : undefined;
    if (s.list) {
      const same =
        list !== undefined &&
        list.ref.state === s.state.name &&
        Buffer.compare(list.ref.key, entry.key) === 0 &&
        Buffer.compare(list.ref.namespace, entry.namespace) === 0;
      if (!same) {
        closeList();
        const ref = {
          state: s.state.name,
          keyGroup,
          key: entry.key.slice(),
          namespace: entry.namespace.slice(),
        };
        list = { ref, elements: [], expiresAt };
      }
      const open = list as NonNullable<typeof list>;
      open.elements.push(value);
      if (expiresAt !== undefined) open.expiresAt = Math.max(open.expiresAt ?? 0, expiresAt);
      return;
    }
    closeList();
    puts.push({
      ref: {
        state: s.state.name,
        keyGroup,
        key: entry.key.slice(),
        namespace: entry.namespace.slice(),
        mapKey: entry.userKey?.slice(),
      },
      value,
      expiresAt,
    });
  });
  closeList();
  return puts;
}
