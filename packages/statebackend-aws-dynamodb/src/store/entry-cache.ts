import type { CacheEntry } from './cache-entry.js';
import { entrySize } from './cache-entry.js';

/**
 * The local cache: entries by id, in least-recently-used order, bounded in bytes. Dirty entries
 * are never dropped; the store flushes them first when the cache is over its budget.
 */
export class EntryCache {
  readonly maxBytes: number;
  readonly #entries = new Map<string, CacheEntry>();
  /** Map-entry ids by map cell, so iteration can lay cached entries over what DynamoDB holds. */
  readonly #byCell = new Map<string, Set<string>>();
  /** Ids that must stay cached while a load or a lineage compaction decides on them. */
  readonly #pinned = new Map<string, number>();
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
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
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

  add(entry: CacheEntry, cellId: string | undefined): void {
    entry.size = entrySize(entry);
    this.#entries.set(entry.id, entry);
    this.#bytes += entry.size;
    if (cellId === undefined) return;
    let ids = this.#byCell.get(cellId);
    if (ids === undefined) {
      ids = new Set();
      this.#byCell.set(cellId, ids);
    }
    ids.add(entry.id);
  }

  /** Re-accounts an entry whose value or own slot changed. */
  resize(entry: CacheEntry): void {
    const size = entrySize(entry);
    this.#bytes += size - entry.size;
    entry.size = size;
  }

  /** Cached entries of a map cell. */
  entriesOfCell(cellId: string): CacheEntry[] {
    const ids = this.#byCell.get(cellId);
    if (ids === undefined) return [];
    const found: CacheEntry[] = [];
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (entry !== undefined) found.push(entry);
    }
    return found;
  }

  /** Every cached entry. */
  all(): IterableIterator<CacheEntry> {
    return this.#entries.values();
  }

  /** Every dirty entry, oldest use first. */
  dirty(): CacheEntry[] {
    const found: CacheEntry[] = [];
    for (const entry of this.#entries.values()) if (entry.dirtyGen !== 0) found.push(entry);
    return found;
  }

  /** Drops clean entries that are not pinned, least recently used first, until the cache is within budget. */
  evictClean(cellIdOf: (entry: CacheEntry) => string | undefined): void {
    if (!this.overBudget) return;
    for (const entry of this.#entries.values()) {
      if (this.#bytes <= this.maxBytes) return;
      if (entry.dirtyGen !== 0 || this.#pinned.has(entry.id)) continue;
      this.#entries.delete(entry.id);
      this.#bytes -= entry.size;
      const cellId = cellIdOf(entry);
      if (cellId !== undefined) this.#byCell.get(cellId)?.delete(entry.id);
    }
  }
}
