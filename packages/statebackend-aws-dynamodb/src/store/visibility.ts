import type { LineageEntry } from '../checkpoint/lineage.js';
import type { SlotItem, Version } from '../layout/slot-item.js';

/**
 * The version of an ancestor's slot item that the ancestor's checkpoint covers: its newest
 * version if written up to the cutoff, else the previous one it kept, else none (the ancestor
 * had not written this entry by then, so older ancestors decide).
 */
export function visibleVersion(item: SlotItem, cutoff: number): Version | undefined {
  if (item.cur.gen <= cutoff) return item.cur;
  if (item.prev !== undefined && item.prev.gen <= cutoff) return item.prev;
  return undefined;
}

/** What an entry's slots resolve to for an owner: its value and expiry, or absence. */
export interface Resolved {
  readonly value: Uint8Array | undefined;
  readonly expiresAt: number | undefined;
}

const ABSENT: Resolved = Object.freeze({ value: undefined, expiresAt: undefined });

/**
 * Resolves an entry from the slot items found for it: the owner's own item wins (all of its
 * writes are its lineage), then ancestors newest first, each within its cutoff.
 */
export function resolveSlots(
  own: SlotItem | undefined,
  ancestors: readonly LineageEntry[],
  slotOf: (epoch: number) => SlotItem | undefined,
): Resolved {
  if (own !== undefined) return { value: own.cur.value, expiresAt: own.cur.expiresAt };
  for (const ancestor of ancestors) {
    const item = slotOf(ancestor.epoch);
    if (item === undefined) continue;
    const version = visibleVersion(item, ancestor.cutoff);
    if (version !== undefined) return { value: version.value, expiresAt: version.expiresAt };
  }
  return ABSENT;
}

/**
 * The version a new write must keep beside it: the newest version the owner's last complete
 * checkpoint covers. The stored newest one if it is covered, else the one kept before.
 */
export function keptVersion(own: SlotItem | undefined, lastCompleteGen: number): Version | undefined {
  if (own === undefined) return undefined;
  return own.cur.gen <= lastCompleteGen ? own.cur : own.prev;
}
