import { CheckpointNotFoundError, type KeyGroupRange } from '@statebackend/aws-base';
import type { CommitRecord, LineageEntry } from './lineage.js';
import { lineageFor } from './lineage.js';

/** What a restore resolved: the checkpoint, the lineage the new owner reads, and the metadata. */
export interface RestorePlan {
  /** The checkpoint restored. */
  readonly checkpointId: number;
  readonly lineage: LineageEntry[];
  /** The caller's metadata of each restored commit, by checkpoint id and range. */
  readonly commits: readonly CommitRecord[];
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
  checkpointId ??= latestComplete(location, range, sorted);
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
  return { checkpointId: Math.max(...used.map((c) => c.checkpointId)), lineage, commits: used };
}

/** The newest checkpoint id whose commits cover every key group of `range`. */
function latestComplete(location: string, range: KeyGroupRange, sorted: readonly CommitRecord[]): number {
  const ids = [...new Set(sorted.map((c) => c.checkpointId))];
  for (const id of ids) {
    const parts = sorted.filter((c) => c.checkpointId === id);
    let covered = true;
    for (let kg = range.startKeyGroup; kg <= range.endKeyGroup && covered; kg++) {
      covered = parts.some((c) => c.start <= kg && kg <= c.end);
    }
    if (covered) return id;
  }
  throw new CheckpointNotFoundError(
    location,
    `no checkpoint was committed for every key group of [${range.startKeyGroup}, ${range.endKeyGroup}]`,
  );
}
