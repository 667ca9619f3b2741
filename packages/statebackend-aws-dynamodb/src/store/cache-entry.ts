import type { EntryRef } from '../layout/item-key.js';
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
}

const ENTRY_OVERHEAD = 160;

/** The bytes `entry` is accounted for: keys, value and the previous version it remembers. */
export function entrySize(entry: CacheEntry): number {
  const own = entry.own;
  const prev = typeof own === 'object' ? own.kept.reduce((n, v) => n + (v.value?.length ?? 0), 0) : 0;
  return ENTRY_OVERHEAD + entry.pk.length + entry.prefix.length + (entry.value?.length ?? 0) + prev;
}
