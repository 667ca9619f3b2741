import { ancestorsOf, type CommitRecord, type LineageEntry } from '../checkpoint/lineage.js';
import type { SlotItem } from '../layout/slot-item.js';
import { visibleVersion } from './visibility.js';

/** The slots one reader of a key group consults, newest epoch first, each within its cutoff. */
export type ReaderChain = readonly Pick<LineageEntry, 'epoch' | 'cutoff'>[];

/**
 * The commit records of key group `keyGroup` a restore can still pick (see `planRestore`): its
 * newest checkpoint, and those the newest one lists as restorable. A record older than these (its
 * writer stopped before pruning it, or a newer owner's retention moved past it) reads nothing any
 * more, whoever wrote it.
 */
export function reachableRecords(records: readonly CommitRecord[], keyGroup: number): CommitRecord[] {
  const covering = records.filter((r) => r.start <= keyGroup && keyGroup <= r.end);
  const newest = covering.reduce<CommitRecord | undefined>(
    (a, r) =>
      a === undefined ||
      r.checkpointId > a.checkpointId ||
      (r.checkpointId === a.checkpointId && r.epoch > a.epoch)
        ? r
        : a,
    undefined,
  );
  if (newest === undefined) return [];
  return covering.filter(
    (r) => r.checkpointId === newest.checkpointId || newest.restorable.includes(r.checkpointId),
  );
}

/**
 * Every reader of key group `keyGroup` that may still read an ancestor's slot: the working state
 * (and the checkpoints it will commit) through `lineage`, ignoring its own slot, which only hides
 * more; and each commit record a restore of the key group can still pick (see
 * {@link reachableRecords}), through its writer up to its cutoff, then its lineage.
 */
export function readersOf(
  lineage: readonly LineageEntry[],
  records: readonly CommitRecord[],
  keyGroup: number,
): ReaderChain[] {
  const chains: ReaderChain[] = [ancestorsOf(lineage, keyGroup)];
  for (const r of reachableRecords(records, keyGroup)) {
    const own: LineageEntry = { epoch: r.epoch, cutoff: r.cutoff, start: r.start, end: r.end };
    chains.push(ancestorsOf([own, ...r.lineage], keyGroup));
  }
  return chains;
}

/** Slots of one entry that no reader needs, in two groups: `unresolved` must go before `removals`. */
export interface UnreadSlots {
  /** Slots no reader resolves the entry to. */
  readonly unresolved: number[];
  /** Removals some reader resolves the entry to, with nothing it would read instead once `unresolved` went. */
  readonly removals: number[];
}

/**
 * Which slots of one entry, of epochs older than `ownEpoch`, may be deleted without changing what
 * any of `readers` reads. A reader reads the first slot of its chain with a version within the
 * cutoff: a slot with a value is needed; a removal is needed only while a needed slot below it
 * would otherwise show through. Deleting `unresolved` before `removals` keeps every reader exact
 * at every step: `unresolved` changes no reader's resolution, and once it went, each of `removals`
 * only has removals (or nothing) below it.
 */
export function unreadSlots(
  slots: ReadonlyMap<number, SlotItem>,
  readers: readonly ReaderChain[],
  ownEpoch: number,
): UnreadSlots {
  const visibleAt = (chain: ReaderChain, i: number): { epoch: number; removal: boolean } | undefined => {
    const link = chain[i];
    const item = link === undefined ? undefined : slots.get(link.epoch);
    if (link === undefined || item === undefined) return undefined;
    const version = visibleVersion(item, link.cutoff);
    return version === undefined ? undefined : { epoch: link.epoch, removal: version.value === undefined };
  };
  const resolved = new Set<number>();
  const needed = new Set<number>();
  const removals: { chain: ReaderChain; at: number; epoch: number }[] = [];
  for (const chain of readers) {
    for (let i = 0; i < chain.length; i++) {
      const visible = visibleAt(chain, i);
      if (visible === undefined) continue;
      resolved.add(visible.epoch);
      if (visible.removal) removals.push({ chain, at: i, epoch: visible.epoch });
      else needed.add(visible.epoch);
      break;
    }
  }
  // A removal is needed while any slot below it in its reader's chain that stays has a version.
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of removals) {
      if (needed.has(r.epoch)) continue;
      for (let i = r.at + 1; i < r.chain.length; i++) {
        const below = visibleAt(r.chain, i);
        if (below !== undefined && needed.has(below.epoch)) {
          needed.add(r.epoch);
          changed = true;
          break;
        }
      }
    }
  }
  const unresolved: number[] = [];
  const unneededRemovals: number[] = [];
  for (const epoch of slots.keys()) {
    if (epoch >= ownEpoch || needed.has(epoch)) continue;
    (resolved.has(epoch) ? unneededRemovals : unresolved).push(epoch);
  }
  return { unresolved, removals: unneededRemovals };
}
