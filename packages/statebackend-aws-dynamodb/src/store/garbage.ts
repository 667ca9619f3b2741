import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import type { DynamoIo, ItemKey } from '../io/dynamo-io.js';
import { slotSortKey } from '../layout/item-key.js';
import type { CacheEntry } from './entry-cache.js';

/** Ancestors' slots of one entry that a write of generation `gen` made unreadable to newer checkpoints. */
export interface Superseded {
  readonly gen: number;
  readonly keys: readonly ItemKey[];
  /** Whether the items were seen (a read found them); else they may exist, and are read first. */
  readonly known: boolean;
}

/** An item of this writer holding a removal as its newest version, written in generation `gen`. */
interface Tombstone {
  readonly pk: Uint8Array;
  readonly sk: Uint8Array;
  readonly gen: number;
}

/**
 * What a store's flushes made garbage, until it may go: ancestors' items the writes superseded
 * (until a commit takes them; see `Checkpoints`), and this writer's items whose newest version is
 * a removal (until no restorable checkpoint predates the removal).
 */
export class Garbage {
  /** Noted by flushes, not yet taken by a commit. */
  #superseded: Superseded[] = [];
  /** By entry id. */
  readonly #tombstones = new Map<string, Tombstone>();

  /**
   * Notes what writing `entry` as generation `gen` (its value then: `value`) makes garbage once no
   * checkpoint from before the write is restorable: the ancestors' items of the entry (seen by a
   * read, or, for an entry written without being read, any its key group's ancestors may hold
   * under `lineage`), and, for a removal, this writer's own item itself (slot `epoch`).
   */
  noteFlushed(
    entry: Readonly<CacheEntry>,
    value: Uint8Array | undefined,
    gen: number,
    lineage: readonly LineageEntry[],
    epoch: number,
  ): void {
    const known = entry.ancestors;
    const epochs = known ?? ancestorsOf(lineage, entry.ref.keyGroup).map((a) => a.epoch);
    if (epochs.length > 0) {
      const keys = epochs.map((ancestor) => ({
        pk: { B: entry.pk },
        sk: { B: slotSortKey(entry.prefix, ancestor) },
      }));
      this.#superseded.push({ gen, keys, known: known !== undefined });
    }
    if (value === undefined) {
      this.#tombstones.set(entry.id, { pk: entry.pk, sk: slotSortKey(entry.prefix, epoch), gen });
    } else {
      this.#tombstones.delete(entry.id);
    }
  }

  /** Takes what flushes of generations up to `cutoff` superseded: a commit of that cutoff now owns it. */
  takeSuperseded(cutoff: number): Superseded[] {
    const taken = this.#superseded.filter((s) => s.gen <= cutoff);
    this.#superseded = this.#superseded.filter((s) => s.gen > cutoff);
    return taken;
  }

  /** Gives back what an aborted commit took: still superseded, the next commit takes it. */
  giveBack(superseded: readonly Superseded[]): void {
    this.#superseded = [...superseded, ...this.#superseded];
  }

  /**
   * Deletes this writer's items whose newest version is a removal, once every checkpoint that may
   * still be restored (their `cutoffs`) was taken after the removal: each of them (and the
   * working state) then reads the entry as absent from the own slot, and reads it as absent
   * without the item too, since the ancestors' items of the entry went first (see
   * {@link deleteSuperseded}, run before this one in the same clean-up). Returns the ids of the
   * entries whose items were deleted: a cached one must forget its item, so that its next write
   * keeps no version of it.
   */
  async deleteTombstones(io: DynamoIo, cutoffs: readonly number[]): Promise<string[]> {
    if (cutoffs.length === 0) return [];
    const floor = Math.min(...cutoffs);
    const ready = [...this.#tombstones].filter(([, t]) => t.gen <= floor);
    if (ready.length === 0) return [];
    await io.batchWrite(
      ready.map(([, t]) => ({ DeleteRequest: { Key: { pk: { B: t.pk }, sk: { B: t.sk } } } })),
    );
    for (const [id] of ready) this.#tombstones.delete(id);
    return ready.map(([id]) => id);
  }
}

/**
 * Deletes ancestors' items that writes superseded, once no restorable checkpoint is older than
 * those writes: every restorable checkpoint then finds the entry in this writer's own slot. Items
 * only possibly there (the entry was written without being read) are read first, so that only
 * items that exist cost a delete. Returns the items deleted.
 */
export async function deleteSuperseded(io: DynamoIo, superseded: readonly Superseded[]): Promise<number> {
  const known: ItemKey[] = [];
  const unknown: ItemKey[] = [];
  for (const s of superseded) (s.known ? known : unknown).push(...s.keys);
  const found = unknown.length === 0 ? [] : await io.batchGet(unknown);
  const deletes: WriteRequest[] = [...known, ...found.map(keyOf)].map((Key) => ({ DeleteRequest: { Key } }));
  if (deletes.length > 0) await io.batchWrite(deletes);
  return deletes.length;
}

function keyOf(item: Record<string, { B?: Uint8Array }>): ItemKey {
  return { pk: { B: item.pk?.B ?? new Uint8Array(0) }, sk: { B: item.sk?.B ?? new Uint8Array(0) } };
}
