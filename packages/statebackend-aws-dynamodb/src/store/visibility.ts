import type { LineageEntry } from '../checkpoint/lineage.js';
import type { SlotItem, Version } from '../layout/slot-item.js';

/**
 * The version of an ancestor's slot item that the ancestor's checkpoint covers: its newest
 * version if written up to the cutoff, else the previous one it kept, else none (the ancestor
 * had not written this entry by then, so older ancestors decide).
 */
export function visibleVersion(item: SlotItem, cutoff: number): Version | undefined {
  if (item.cur.gen <= cutoff) return item.cur;
  // Kept versions are newest first: the first one within the cutoff is the newest it covers.
  return item.kept.find((version) => version.gen <= cutoff);
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
 * The versions a new write must keep beside it: for each cutoff of a checkpoint that may still be
 * restored, the newest stored version it covers (none when it covers none: older slots decide).
 * Newest first, each once.
 */
export function keptVersions(own: SlotItem | undefined, cutoffs: readonly number[]): Version[] {
  if (own === undefined || cutoffs.length === 0) return [];
  const stored = [own.cur, ...own.kept];
  const kept: Version[] = [];
  for (const cutoff of [...cutoffs].sort((a, b) => b - a)) {
    const version = stored.find((v) => v.gen <= cutoff);
    if (version !== undefined && !kept.includes(version)) kept.push(version);
  }
  return kept;
}
