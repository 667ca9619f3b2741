import { KeyGroupRange } from '@statebackend/aws-base';
import type { CommitRecord } from './lineage.js';
import { type CommitLogLocation, openCommitLog } from './open-commit-log.js';
import { restorableIds } from './restore-plan.js';

/** One part of a checkpoint: the key groups one writer committed. */
export interface CheckpointPart {
  readonly start: number;
  readonly end: number;
  /** The writer's epoch. */
  readonly epoch: number;
  /** When the commit record was written, ms since the epoch. */
  readonly committedAt: number;
}

/** A checkpoint of one operator as its commit records describe it. */
export interface ListedCheckpoint {
  readonly checkpointId: number;
  /** The parts committed, by key group. */
  readonly parts: readonly CheckpointPart[];
  /** Every key group of the operator committed it (a subtask that never committed it leaves it incomplete). */
  readonly complete: boolean;
  /** A restore of every key group may pick it now: complete, and still kept by each key group's newest commit. */
  readonly restorable: boolean;
}

/** What {@link listCheckpoints} found. */
export interface CheckpointListing {
  /** Newest first. */
  readonly checkpoints: readonly ListedCheckpoint[];
  /** The newest restorable checkpoint: the one a restore of `latest` picks, at any parallelism. */
  readonly newestComplete: number | undefined;
}

/**
 * Lists the checkpoints of one operator (`scope`, `jobId/operatorId`) from its commit records
 * alone — in the table, or in `checkpointStorage` when the backend keeps them there — without
 * claiming anything or reading data. Use it to pick a `{ checkpointId }` to restore.
 *
 * @example
 * ```ts
 * const { newestComplete, checkpoints } = await listCheckpoints({
 *   client, tableName: 'stream-state', scope: 'clicks/count',
 * });
 * ```
 */
export async function listCheckpoints(location: CommitLogLocation): Promise<CheckpointListing> {
  const records = await openCommitLog(location).log.list();
  return describeCheckpoints(records);
}

/** The listing of a set of commit records (see {@link listCheckpoints}). */
export function describeCheckpoints(records: readonly CommitRecord[]): CheckpointListing {
  if (records.length === 0) return { checkpoints: [], newestComplete: undefined };
  const sorted = [...records].sort((a, b) => b.checkpointId - a.checkpointId || b.epoch - a.epoch);
  const maxParallelism = Math.max(...sorted.map((c) => c.maxParallelism ?? 0));
  const start = maxParallelism > 0 ? 0 : Math.min(...sorted.map((c) => c.start));
  const end = maxParallelism > 0 ? maxParallelism - 1 : Math.max(...sorted.map((c) => c.end));
  const everyKeyGroup = KeyGroupRange.of(start, end);
  const restorable = new Set(restorableIds(everyKeyGroup, sorted));
  const ids = [...new Set(sorted.map((c) => c.checkpointId))];
  const checkpoints = ids.map((checkpointId): ListedCheckpoint => {
    const parts = sorted
      .filter((c) => c.checkpointId === checkpointId)
      .map((c) => ({ start: c.start, end: c.end, epoch: c.epoch, committedAt: c.committedAt }))
      .sort((a, b) => a.start - b.start);
    const complete = covers(parts, start, end);
    return { checkpointId, parts, complete, restorable: complete && restorable.has(checkpointId) };
  });
  return { checkpoints, newestComplete: checkpoints.find((c) => c.restorable)?.checkpointId };
}

function covers(parts: readonly CheckpointPart[], start: number, end: number): boolean {
  let next = start;
  for (const part of parts) {
    if (part.start > next) return false;
    next = Math.max(next, part.end + 1);
  }
  return next > end;
}
