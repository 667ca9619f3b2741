import { CheckpointNotFoundError } from '../../errors.js';
import { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { findLatestCompleteCheckpoint, groupById, loadCheckpoint } from '../catalog/checkpoint-selection.js';
import type { CheckpointStorage } from '../storage/checkpoint-storage.js';
import { CheckpointSource } from './checkpoint-source.js';

/** Options of {@link openCheckpoint}. */
export interface OpenCheckpointOptions {
  /** The checkpoint to open; default: the latest one complete for `keyGroupRange`. */
  readonly checkpointId?: number;
  /** The key groups to read; default: every key group the checkpoint holds. */
  readonly keyGroupRange?: KeyGroupRange;
}

/**
 * Opens a committed checkpoint for reading only: inspection, export to a savepoint, comparing
 * with another checkpoint. Unlike restoring it into a backend, this claims nothing, so the
 * running owner is not fenced and nothing under the location changes. Its entries are read with
 * `forEachEntry` / `forEachBlock`, or the source is given to `exportSavepoint`-style tools.
 *
 * A checkpoint may be removed by the owner's retention while it is read: reads then fail with
 * a retryable `CheckpointChangedError`, never with a corrupt-checkpoint error.
 *
 * @example
 * ```ts
 * const source = await openCheckpoint(storage, { checkpointId: 7 });
 * await source.forEachEntry(KeyGroupRange.of(0, 127), (keyGroup, state, entry) => inspect(state.name, entry));
 * ```
 */
export async function openCheckpoint(
  storage: CheckpointStorage,
  options: OpenCheckpointOptions = {},
): Promise<CheckpointSource> {
  const range = options.keyGroupRange ?? (await heldRange(storage, options.checkpointId));
  const selection =
    options.checkpointId === undefined
      ? await findLatestCompleteCheckpoint(storage, range)
      : await loadCheckpoint(storage, options.checkpointId, range);
  if (selection === undefined) {
    throw new CheckpointNotFoundError(
      storage.location,
      'no checkpoint is complete for the key groups asked for',
    );
  }
  return new CheckpointSource(storage, selection);
}

/** The key groups from the lowest to the highest one committed for the checkpoint (or the newest). */
async function heldRange(
  storage: CheckpointStorage,
  checkpointId: number | undefined,
): Promise<KeyGroupRange> {
  const byId = groupById(await storage.listCommitted());
  const id = checkpointId ?? Math.max(-1, ...byId.keys());
  const parts = byId.get(id);
  if (parts === undefined || parts.length === 0) {
    throw new CheckpointNotFoundError(
      storage.location,
      checkpointId === undefined
        ? 'no checkpoint is committed'
        : `checkpoint ${checkpointId} is not committed`,
    );
  }
  return KeyGroupRange.of(
    Math.min(...parts.map((p) => p.keyGroupRange.startKeyGroup)),
    Math.max(...parts.map((p) => p.keyGroupRange.endKeyGroup)),
  );
}
