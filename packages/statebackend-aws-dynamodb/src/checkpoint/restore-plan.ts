import { CheckpointNotFoundError, KeyGroupRange } from '@statebackend/aws-base';
import type { CommitRecord, LineageEntry } from './lineage.js';
import { lineageFor } from './lineage.js';

/** What a restore resolved: the checkpoint, the lineage the new owner reads, and the metadata. */
export interface RestorePlan {
  /** The checkpoint restored. */
  readonly checkpointId: number;
  readonly lineage: LineageEntry[];
  /** The caller's metadata of each restored commit, by checkpoint id and range. */
  readonly commits: readonly CommitRecord[];
  /**
   * The restored checkpoint and the older ones every key group of the range may still restore,
   * ascending: the new owner keeps them restorable as long as its retention counts them.
   */
  readonly restorable: readonly number[];
}

/**
 * Restores checkpoint `checkpointId`, or when absent the newest checkpoint that every key group
 * of `range` committed (a checkpoint one operator never committed is passed over): for each key
 * group its commit of that id, which must be the newest or one its writer still retains (its
 * items keep the versions it needs); builds the lineage from them.
 *
 * @throws CheckpointNotFoundError when no checkpoint covers the range, or the one asked for is
 * missing for a key group or no longer retained.
 */
export function planRestore(
  location: string,
  range: KeyGroupRange,
  commits: readonly CommitRecord[],
  checkpointId: number | undefined,
): RestorePlan {
  const sorted = [...commits].sort((a, b) => b.checkpointId - a.checkpointId || b.epoch - a.epoch);
  checkpointId ??= latestRestorable(location, range, sorted);

  const chosen = new Map<number, CommitRecord>();
  for (let kg = range.startKeyGroup; kg <= range.endKeyGroup; kg++) {
    const covering = sorted.filter((c) => c.start <= kg && kg <= c.end);
    const newest = covering[0];
    if (newest === undefined) {
      throw new CheckpointNotFoundError(location, `key group ${kg} has no committed checkpoint`);
    }
    if (checkpointId === undefined || newest.checkpointId === checkpointId) {
      chosen.set(kg, newest);
      continue;
    }
    // An older checkpoint: only while its writer still keeps the versions it needs.
    const older = covering.find((c) => c.checkpointId === checkpointId);
    if (older === undefined || !newest.restorable.includes(checkpointId)) {
      throw new CheckpointNotFoundError(
        location,
        `checkpoint ${checkpointId} of key group ${kg} is not retained (the newest is ${newest.checkpointId}); ` +
          'raise retainedCheckpoints to keep older ones restorable, or restore from a savepoint',
      );
    }
    chosen.set(kg, older);
  }
  const lineage = lineageFor(range, (kg) => chosen.get(kg) as CommitRecord);
  const used = [...new Set(chosen.values())];
  const restored = Math.max(...used.map((c) => c.checkpointId));
  const restorable = restorableIds(range, sorted).filter((id) => id <= restored);
  return { checkpointId: restored, lineage, commits: used, restorable };
}

/**
 * Ids a restore of every key group of `range` may pick, ascending: for each key group, a commit of
 * that id exists and it is the key group's newest, or one the newest still lists as restorable.
 */
export function restorableIds(range: KeyGroupRange, sorted: readonly CommitRecord[]): number[] {
  let ids: Set<number> | undefined;
  for (let kg = range.startKeyGroup; kg <= range.endKeyGroup; kg++) {
    const covering = sorted.filter((c) => c.start <= kg && kg <= c.end);
    const newest = covering[0];
    if (newest === undefined) return [];
    const here = new Set(
      covering
        .map((c) => c.checkpointId)
        .filter((id) => id === newest.checkpointId || newest.restorable.includes(id)),
    );
    ids = ids === undefined ? here : new Set([...ids].filter((id) => here.has(id)));
  }
  return [...(ids ?? [])].sort((a, b) => a - b);
}

/**
 * The newest checkpoint that every key group with commits (the operator's, not only `range`'s)
 * committed and may still restore: so that owners of any parallelism agree on it. One that only
 * some subtasks committed is passed over, and so is one a key group's newer commit no longer keeps.
 */
function latestRestorable(location: string, range: KeyGroupRange, sorted: readonly CommitRecord[]): number {
  if (sorted.length === 0) throw new CheckpointNotFoundError(location, 'no checkpoint was committed');
  const own = new Set(restorableIds(range, sorted));
  const everywhere = restorableIds(committedKeyGroups(sorted), sorted);
  const newest = everywhere.filter((id) => own.has(id)).at(-1) ?? [...own].at(-1);
  if (newest !== undefined) return newest;
  throw new CheckpointNotFoundError(
    location,
    `no checkpoint was committed for every key group of [${range.startKeyGroup}, ${range.endKeyGroup}] ` +
      '(or one was, but a newer commit of some of them does not keep it, being not retained)',
  );
}

/** The key groups the records cover, as one range when they are contiguous (else `restorableIds` of it is empty). */
function committedKeyGroups(sorted: readonly CommitRecord[]): KeyGroupRange {
  const start = Math.min(...sorted.map((c) => c.start));
  const end = Math.max(...sorted.map((c) => c.end));
  return KeyGroupRange.of(start, end);
}
