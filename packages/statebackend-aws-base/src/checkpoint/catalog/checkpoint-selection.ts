import {
  CheckpointChangedError,
  CheckpointNotFoundError,
  CheckpointStorageError,
  CorruptCheckpointError,
  KeyGroupArgumentError,
} from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { intersectRanges, subtractRange } from '../range-set.js';
import type { CheckpointStorage, CommittedCheckpoint } from '../storage/checkpoint-storage.js';
import { describeRange } from '../storage/fencing.js';
import { type CheckpointPart, readCheckpointPart } from './checkpoint-part.js';

/** The parts of one checkpoint that together hold a key-group range, and which key groups each gives. */
export interface CheckpointSelection {
  readonly checkpointId: number;
  /** The range asked for. */
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** Ascending by the first key group they provide. */
  readonly parts: readonly SelectedPart[];
}

export interface SelectedPart extends CheckpointPart {
  /** Key groups of the requested range this part provides. */
  readonly keyGroups: readonly KeyGroupRange[];
}

/**
 * Assigns each key group of `range` to the committed part of one checkpoint that holds it
 * (the newest epoch when parts overlap); undefined when the parts leave a key group out.
 */
function assign(
  parts: readonly CommittedCheckpoint[],
  range: KeyGroupRange,
): { committed: CommittedCheckpoint; keyGroups: KeyGroupRange[] }[] | undefined {
  let remaining: KeyGroupRange[] = [range];
  const assigned: { committed: CommittedCheckpoint; keyGroups: KeyGroupRange[] }[] = [];
  for (const committed of [...parts].sort((a, b) => b.writerEpoch - a.writerEpoch)) {
    const keyGroups = remaining.flatMap((r) => intersectRanges([r], committed.keyGroupRange));
    if (keyGroups.length === 0) continue;
    assigned.push({ committed, keyGroups });
    remaining = subtractRange(remaining, committed.keyGroupRange);
  }
  return remaining.length === 0 ? assigned : undefined;
}

async function select(
  storage: CheckpointStorage,
  checkpointId: number,
  range: KeyGroupRange,
  assigned: { committed: CommittedCheckpoint; keyGroups: KeyGroupRange[] }[],
  maxParallelism: number | undefined,
): Promise<CheckpointSelection> {
  const parts: SelectedPart[] = [];
  const byRange = [...assigned].sort(
    (a, b) => (a.keyGroups[0]?.startKeyGroup ?? 0) - (b.keyGroups[0]?.startKeyGroup ?? 0),
  );
  for (const { committed, keyGroups } of byRange) {
    parts.push({ ...(await readCheckpointPart(storage, committed)), keyGroups });
  }
  const first = parts[0];
  const stored = first?.metadata.maxParallelism ?? maxParallelism ?? 0;
  for (const part of parts) {
    if (part.metadata.maxParallelism !== stored) {
      throw new CorruptCheckpointError(
        storage.describe(part.committed.path),
        `its maxParallelism ${part.metadata.maxParallelism} differs from ${stored} of the other parts of checkpoint ${checkpointId}`,
      );
    }
  }
  if (maxParallelism !== undefined && stored !== maxParallelism) {
    throw new KeyGroupArgumentError(
      'maxParallelism',
      String(maxParallelism),
      `${stored}, the max parallelism checkpoint ${checkpointId} under '${storage.location}' was taken with ` +
        '(it cannot change once a checkpoint exists; restore through a savepoint with the old value)',
    );
  }
  return { checkpointId, keyGroupRange: range, maxParallelism: stored, parts };
}

/** Listings a selection repeats when a commit record it listed vanished before it was read. */
const SELECTION_ATTEMPTS = 3;

/**
 * Runs `attempt` over a fresh listing until it reads no commit record that vanished after it
 * was listed (another owner's retention, a commit that never counted withdrawn): such a listing
 * was stale, and the checkpoint is not corrupt. After {@link SELECTION_ATTEMPTS} stale listings,
 * a retryable {@link CheckpointChangedError}.
 */
async function withFreshListing<T>(
  storage: CheckpointStorage,
  checkpointId: number | undefined,
  attempt: (committed: CommittedCheckpoint[]) => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(await storage.listCommitted());
    } catch (error) {
      const vanished = error instanceof CheckpointStorageError && error.notFound;
      if (!vanished) throw error;
      if (tries >= SELECTION_ATTEMPTS) {
        throw new CheckpointChangedError(
          storage.location,
          checkpointId ?? -1,
          `commit records vanished between listing and reading ${SELECTION_ATTEMPTS} times in a row (${error.path})`,
          { cause: error },
        );
      }
    }
  }
}

/**
 * The latest checkpoint whose committed parts hold every key group of `range`, or undefined
 * when there is none. A newer checkpoint that leaves key groups of the range out (a writer
 * failed before committing it) is passed over; a corrupt metadata file is an error, never a
 * reason to fall back silently. A commit record that vanishes between the listing and its read
 * means the listing was stale: it is listed again (a few times; then `CheckpointChangedError`).
 */
export async function findLatestCompleteCheckpoint(
  storage: CheckpointStorage,
  range: KeyGroupRange,
  maxParallelism?: number,
): Promise<CheckpointSelection | undefined> {
  return withFreshListing(storage, undefined, async (committed) => {
    const byId = groupById(committed);
    for (const id of [...byId.keys()].sort((a, b) => b - a)) {
      const assigned = assign(byId.get(id) ?? [], range);
      if (assigned !== undefined) return select(storage, id, range, assigned, maxParallelism);
    }
    return undefined;
  });
}

/** Checkpoint `checkpointId` for `range`; throws {@link CheckpointNotFoundError} when it does not hold all of it. */
export async function loadCheckpoint(
  storage: CheckpointStorage,
  checkpointId: number,
  range: KeyGroupRange,
  maxParallelism?: number,
): Promise<CheckpointSelection> {
  return withFreshListing(storage, checkpointId, async (committed) => {
    const parts = committed.filter((c) => c.checkpointId === checkpointId);
    if (parts.length === 0) {
      throw new CheckpointNotFoundError(storage.location, `checkpoint ${checkpointId} is not committed`);
    }
    const assigned = assign(parts, range);
    if (assigned === undefined) {
      const held = parts.map((p) => describeRange(p.keyGroupRange)).join(', ');
      throw new CheckpointNotFoundError(
        storage.location,
        `checkpoint ${checkpointId} holds ${held}, not all of ${describeRange(range)}`,
      );
    }
    return select(storage, checkpointId, range, assigned, maxParallelism);
  });
}

export function groupById(committed: readonly CommittedCheckpoint[]): Map<number, CommittedCheckpoint[]> {
  const byId = new Map<number, CommittedCheckpoint[]>();
  for (const c of committed) byId.set(c.checkpointId, [...(byId.get(c.checkpointId) ?? []), c]);
  return byId;
}
