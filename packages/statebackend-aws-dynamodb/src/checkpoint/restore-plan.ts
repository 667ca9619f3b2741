import { CheckpointNotFoundError, type KeyGroupRange } from '@statebackend/aws-base';
import type { CommitRecord, LineageEntry } from './lineage.js';
import { lineageFor } from './lineage.js';

/** What a restore resolved: the checkpoint, the lineage the new owner reads, and the metadata. */
export interface RestorePlan {
  /** The highest checkpoint id restored (each key group's newest commit). */
  readonly checkpointId: number;
  readonly lineage: LineageEntry[];
  /** The caller's metadata of each restored commit, by checkpoint id and range. */
  readonly commits: readonly CommitRecord[];
}

/**
 * Picks, for every key group of `range`, the newest commit covering it, or the commit of
 * `checkpointId` while its writer still retains it (its items keep the versions it needs), and
 * builds the lineage from them.
 *
 * @throws CheckpointNotFoundError when a key group has no commit, or not the one asked for.
 */
export function planRestore(
  location: string,
  range: KeyGroupRange,
  commits: readonly CommitRecord[],
  checkpointId: number | undefined,
): RestorePlan {
  const sorted = [...commits].sort((a, b) => b.checkpointId - a.checkpointId || b.epoch - a.epoch);
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
