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
 * Picks, for every key group of `range`, the newest commit covering it (or the commit of
 * `checkpointId`, which must then be the newest for each key group: older ones may already have
 * had versions overwritten), and builds the lineage from them.
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
    const newest = sorted.find((c) => c.start <= kg && kg <= c.end);
    if (newest === undefined) {
      throw new CheckpointNotFoundError(location, `key group ${kg} has no committed checkpoint`);
    }
    if (checkpointId !== undefined && newest.checkpointId !== checkpointId) {
      throw new CheckpointNotFoundError(
        location,
        `key group ${kg}'s newest complete checkpoint is ${newest.checkpointId}, not ${checkpointId}; ` +
          'DynamoDB working state can restore only the newest complete checkpoint of each key group (use a savepoint for older ones)',
      );
    }
    chosen.set(kg, newest);
  }
  const lineage = lineageFor(range, (kg) => chosen.get(kg) as CommitRecord);
  const used = [...new Set(chosen.values())];
  return { checkpointId: Math.max(...used.map((c) => c.checkpointId)), lineage, commits: used };
}
