import { bytesToId } from '@statebackend/aws-base/spi';
import type { CellRef, EntryAddress, EntryRef } from '../layout/item-key.js';
import type { SlotItem } from '../layout/slot-item.js';

/** What the store knows of its own slot item for an entry. */
export type OwnSlot = SlotItem | 'absent' | 'unknown';

/** One logical entry held in the cache. */
export interface CacheEntry {
  readonly id: string;
  readonly ref: EntryRef;
  readonly pk: Uint8Array;
  /** Sort key without the epoch. */
  readonly prefix: Uint8Array;
  /** The current value; undefined when the entry is absent (deleted or never written). */
  value: Uint8Array | undefined;
  expiresAt: number | undefined;
  /** Generation of the last unflushed change; 0 when the entry matches DynamoDB. */
  dirtyGen: number;
  /** Bumped on every change, so a flush can tell whether the entry changed while it ran. */
  changes: number;
  /** This writer's item as stored, so that a put can keep the version a restore still needs. */
  own: OwnSlot;
  /**
   * Epochs of ancestor slots found holding an item for this entry (to delete once superseded);
   * undefined when not known (the entry was written without being read).
   */
  ancestors: number[] | undefined;
  /** Bytes the entry is accounted for in the cache. */
  size: number;
  /** The value decoded by whoever reads it (see `DynamoDbStateStore.read`), so a hit decodes nothing. */
  memo: unknown;
  /** The cache's use order (kept by {@link EntryCache}): the entry used just before this one. */
  older: CacheEntry | undefined;
  /** The entry used just after this one. */
  newer: CacheEntry | undefined;
}

/** A clean entry for `ref` at `address`, absent until its value is known or written. */
export function newEntry(id: string, ref: EntryRef, address: EntryAddress): CacheEntry {
  return {
    id,
    ref,
    pk: address.pk,
    prefix: address.prefix,
    value: undefined,
    expiresAt: undefined,
    dirtyGen: 0,
    changes: 0,
    own: 'unknown',
    ancestors: undefined,
    size: 0,
    memo: undefined,
    older: undefined,
    newer: undefined,
  };
}

const ENTRY_OVERHEAD = 160;

/** The bytes `entry` is accounted for: keys, value and the previous version it remembers. */
export function entrySize(entry: CacheEntry): number {
  const own = entry.own;
  const prev = typeof own === 'object' ? own.kept.reduce((n, v) => n + (v.value?.length ?? 0), 0) : 0;
  return ENTRY_OVERHEAD + entry.pk.length + entry.prefix.length + (entry.value?.length ?? 0) + prev;
}

// ---- Entry ids ---------------------------------------------------------------------------------
//
// An entry's id is built from the ids of its parts: each part's bytes as a string, one character
// per byte (aws-base's byte ids, which a key context and serialized namespaces and map keys
// already carry), so a cache hit needs neither the bytes nor the table address. The state name
// goes first with its length, so no two (state, key, namespace) share an id.

/** Separates the parts of an id; ids of bytes are latin1 (one character per byte), never this. */
const SEPARATOR = '\u0100';
const NO_MAP_KEY = '\u0101';

/** The part of an id naming the state, to be computed once per state. */
export function stateIdPart(state: string): string {
  return `${state.length}:${state}${SEPARATOR}`;
}

/** The id of a cell from its state part and the byte ids of its key and namespace. */
export function cellId(statePart: string, keyId: string, namespaceId: string): string {
  return statePart + keyId + SEPARATOR + namespaceId;
}

/** The id of an entry from its cell's id and the byte id of its map key (undefined for a value cell). */
export function entryId(cell: string, mapKeyId: string | undefined): string {
  return cell + SEPARATOR + (mapKeyId === undefined ? NO_MAP_KEY : mapKeyId);
}

/**
 * The key id within the id of a value cell of the empty namespace (no map key), as
 * {@link entryId} of {@link cellId} built it: between the state's part and the three separators.
 */
function keyIdOfPlainCell(id: string, state: string): string {
  return id.slice(stateIdPart(state).length, id.length - 3);
}

/** The id of a cell given by its bytes. */
export function cellIdOf(ref: CellRef): string {
  return cellId(stateIdPart(ref.state), bytesToId(ref.key), bytesToId(ref.namespace));
}

/** The id of an entry given by its bytes. */
export function entryIdOf(ref: EntryRef): string {
  return entryId(cellIdOf(ref), ref.mapKey === undefined ? undefined : bytesToId(ref.mapKey));
}

/** The map cell of a map entry's id: the id without its map key part. */
function mapCellOfId(id: string): string {
  return id.slice(0, id.lastIndexOf(SEPARATOR));
}

/**
 * The local cache: entries by id, in least-recently-used order, bounded in bytes. Dirty entries
 * are never dropped; the store flushes them first when the cache is over its budget.
 *
 * The use order is a list through the entries themselves (`older`, `newer`), so that a hit moves
 * its entry with a few assignments rather than a delete and an insert in the map. Value cells of
 * the empty namespace (every `ValueState` that is not namespaced) are also found by state and key
 * id ({@link touchPlain}), which a state handle has without building the entry's id.
 */
export class EntryCache {
  readonly maxBytes: number;
  readonly #entries = new Map<string, CacheEntry>();
  /** Value cells of the empty namespace: by state name, then by key id. */
  readonly #plain = new Map<string, Map<string, CacheEntry>>();
  /** Map-entry ids by map cell, so iteration can lay cached entries over what DynamoDB holds. */
  readonly #byCell = new Map<string, Set<string>>();
  /** Ids that must stay cached while a load or a lineage compaction decides on them. */
  readonly #pinned = new Map<string, number>();
  /** The least recently used entry, and the most. */
  #oldest: CacheEntry | undefined;
  #newest: CacheEntry | undefined;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get overBudget(): boolean {
    return this.#bytes > this.maxBytes;
  }

  /** The entry, marked most recently used. */
  touch(id: string): CacheEntry | undefined {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.#use(entry);
    return entry;
  }

  /**
   * {@link touch} of the value cell of the empty namespace of `state` under `keyId`: the entry
   * whose id is `entryId(cellId(stateIdPart(state), keyId, ''), undefined)`.
   */
  touchPlain(state: string, keyId: string): CacheEntry | undefined {
    const entry = this.#plain.get(state)?.get(keyId);
    if (entry !== undefined) this.#use(entry);
    return entry;
  }

  /** Keeps `id` from being evicted (counted: each pin needs its {@link unpin}). */
  pin(id: string): void {
    this.#pinned.set(id, (this.#pinned.get(id) ?? 0) + 1);
  }

  unpin(id: string): void {
    const count = (this.#pinned.get(id) ?? 0) - 1;
    if (count > 0) this.#pinned.set(id, count);
    else this.#pinned.delete(id);
  }

  peek(id: string): CacheEntry | undefined {
    return this.#entries.get(id);
  }

  /** Adds an entry (most recently used) and returns it. */
  add(entry: CacheEntry): CacheEntry {
    entry.size = entrySize(entry);
    const replaced = this.#entries.get(entry.id);
    if (replaced !== undefined) this.#remove(replaced);
    this.#entries.set(entry.id, entry);
    this.#append(entry);
    this.#bytes += entry.size;
    const ref = entry.ref;
    if (ref.mapKey === undefined) {
      if (ref.namespace.length === 0) {
        let byKey = this.#plain.get(ref.state);
        if (byKey === undefined) {
          byKey = new Map();
          this.#plain.set(ref.state, byKey);
        }
        byKey.set(keyIdOfPlainCell(entry.id, ref.state), entry);
      }
      return entry;
    }
    const cell = mapCellOfId(entry.id);
    let ids = this.#byCell.get(cell);
    if (ids === undefined) {
      ids = new Set();
      this.#byCell.set(cell, ids);
    }
    ids.add(entry.id);
    return entry;
  }

  /** Re-accounts an entry whose value or own slot changed. */
  resize(entry: CacheEntry): void {
    const size = entrySize(entry);
    this.#bytes += size - entry.size;
    entry.size = size;
  }

  /** Cached entries of a map cell. */
  entriesOfCell(cell: CellRef): CacheEntry[] {
    const ids = this.#byCell.get(cellIdOf(cell));
    if (ids === undefined) return [];
    const found: CacheEntry[] = [];
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (entry !== undefined) found.push(entry);
    }
    return found;
  }

  /** Every cached entry, least recently used first; nothing may use or add entries meanwhile. */
  *all(): IterableIterator<CacheEntry> {
    for (let entry = this.#oldest; entry !== undefined; entry = entry.newer) yield entry;
  }

  /** Every dirty entry, oldest use first. */
  dirty(): CacheEntry[] {
    const found: CacheEntry[] = [];
    for (let entry = this.#oldest; entry !== undefined; entry = entry.newer) {
      if (entry.dirtyGen !== 0) found.push(entry);
    }
    return found;
  }

  /** Drops clean entries that are not pinned, least recently used first, until the cache is within budget. */
  evictClean(): void {
    if (!this.overBudget) return;
    for (let entry = this.#oldest; entry !== undefined; ) {
      if (this.#bytes <= this.maxBytes) return;
      const next = entry.newer;
      if (entry.dirtyGen === 0 && !this.#pinned.has(entry.id)) this.#remove(entry);
      entry = next;
    }
  }

  /** Takes `entry` (in the cache) out of it and of its indexes. */
  #remove(entry: CacheEntry): void {
    this.#entries.delete(entry.id);
    this.#unlink(entry);
    this.#bytes -= entry.size;
    const ref = entry.ref;
    if (ref.mapKey !== undefined) this.#byCell.get(mapCellOfId(entry.id))?.delete(entry.id);
    else if (ref.namespace.length === 0) {
      const byKey = this.#plain.get(ref.state);
      const keyId = keyIdOfPlainCell(entry.id, ref.state);
      if (byKey?.get(keyId) === entry) byKey.delete(keyId);
    }
  }

  /** Moves `entry` (in the cache) to the most recently used end. */
  #use(entry: CacheEntry): void {
    if (entry === this.#newest) return;
    this.#unlink(entry);
    this.#append(entry);
  }

  #append(entry: CacheEntry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: CacheEntry): void {
    const { older, newer } = entry;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older;
    else newer.older = older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
