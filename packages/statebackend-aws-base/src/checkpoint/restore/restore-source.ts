import { CheckpointNotFoundError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { findLatestCompleteCheckpoint, loadCheckpoint } from '../catalog/checkpoint-selection.js';
import type { CheckpointSnapshotter } from '../snapshot/checkpoint-snapshotter.js';
import type { CheckpointStorage, WriterLease } from '../storage/checkpoint-storage.js';
import { intersects } from '../storage/fencing.js';
import { CheckpointSource } from './checkpoint-source.js';
import type { KeyedStateSource } from './keyed-state-source.js';

/**
 * What a keyed backend restores from:
 * - `'latest'`: the latest checkpoint under the backend's checkpoint storage that holds all of its
 *   key groups; a fresh start when there is none.
 * - `{ checkpointId }`: that checkpoint under the backend's checkpoint storage (or under
 *   `storage`); a `CheckpointNotFoundError` when it does not hold all of the key groups.
 * - a {@link KeyedStateSource}: a canonical savepoint (`SavepointSource`) or any other source.
 */
export type RestoreSource =
  | 'latest'
  | { readonly checkpointId: number; readonly storage?: CheckpointStorage }
  | KeyedStateSource;

/** Resolves `spec` to the source to read for `range`; undefined when `'latest'` finds no checkpoint. */
export async function resolveRestoreSource(
  spec: RestoreSource,
  range: KeyGroupRange,
  maxParallelism: number,
  own: { storage: CheckpointStorage; lease: WriterLease } | undefined,
): Promise<KeyedStateSource | undefined> {
  let source: KeyedStateSource | undefined;
  if (spec === 'latest') {
    if (own === undefined) return undefined;
    const selection = await findLatestCompleteCheckpoint(own.storage, range, maxParallelism);
    source = selection === undefined ? undefined : new CheckpointSource(own.storage, selection);
  } else if ('forEachEntry' in spec) {
    source = spec;
  } else {
    const storage = spec.storage ?? own?.storage;
    if (storage === undefined) {
      throw new CheckpointNotFoundError(
        '(no checkpoint storage)',
        `restoring checkpoint ${spec.checkpointId} needs the storage it is in: pass \`storage\` with it, or give the backend a checkpoint storage`,
      );
    }
    source = new CheckpointSource(
      storage,
      await loadCheckpoint(storage, spec.checkpointId, range, maxParallelism),
    );
  }
  return source;
}

/**
 * Once `source` was read into a backend owning `own.lease`, tells its snapshotter where the
 * history under its own storage stands: the newest checkpoint id committed for any key group of
 * the range (a snapshot must take a higher one), and which checkpoint it continues from. The
 * newer checkpoints of earlier owners it does not continue from are removed only once the new
 * owner's first checkpoint is committed (see `discardNewerCheckpoints`), so a rollback can
 * be undone until then.
 */
export async function continueHistory(
  source: KeyedStateSource | undefined,
  own: { storage: CheckpointStorage; lease: WriterLease },
  snapshotter: CheckpointSnapshotter,
): Promise<void> {
  const sameStorage = source instanceof CheckpointSource && source.storageLocation === own.storage.location;
  const latest = (await own.storage.listCommitted())
    .filter((c) => intersects(c.keyGroupRange, own.lease.keyGroupRange))
    .reduce((max, c) => Math.max(max, c.checkpointId), -1);
  snapshotter.continueHistory(latest, sameStorage ? source.checkpointId : undefined);
}
