import {
  CorruptCheckpointError,
  NotACheckpointError,
  UnsupportedCheckpointVersionError,
} from '../../errors.js';
import { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { subtractRange } from '../range-set.js';
import type { CheckpointStorage, CommittedCheckpoint } from '../storage/checkpoint-storage.js';
import { type CheckpointPart, readCheckpointPart } from './checkpoint-part.js';
import { groupById } from './checkpoint-selection.js';

/** One checkpoint id under a location: all its committed parts. */
export interface CheckpointSummary {
  readonly checkpointId: number;
  /** The latest snapshot time of its parts, in milliseconds since the epoch. */
  readonly timestamp: number;
  /** Bytes of its metadata and of every data file it references (shared files included). */
  readonly size: number;
  /** The key-group ranges of its parts, ascending. */
  readonly keyGroupRanges: readonly KeyGroupRange[];
  /** Names of its states, sorted. */
  readonly stateNames: readonly string[];
  readonly parts: readonly CheckpointPart[];
}

/**
 * Every committed checkpoint under the storage's location, ascending by id, with sizes, key-group
 * ranges and state names read from their metadata.
 *
 * @example
 * ```ts
 * for (const c of await listCheckpoints(storage)) console.log(c.checkpointId, c.size, c.stateNames);
 * ```
 */
export async function listCheckpoints(storage: CheckpointStorage): Promise<CheckpointSummary[]> {
  return summarize(storage, groupById(await storage.listCommitted()));
}

async function summarize(
  storage: CheckpointStorage,
  byId: ReadonlyMap<number, readonly CommittedCheckpoint[]>,
): Promise<CheckpointSummary[]> {
  const summaries: CheckpointSummary[] = [];
  for (const id of [...byId.keys()].sort((a, b) => a - b)) {
    const parts: CheckpointPart[] = [];
    for (const committed of byId.get(id) ?? []) parts.push(await readCheckpointPart(storage, committed));
    const files = new Map<string, number>();
    for (const part of parts) for (const file of part.metadata.files) files.set(file.path, file.size);
    summaries.push({
      checkpointId: id,
      timestamp: Math.max(...parts.map((p) => p.metadata.timestamp)),
      size:
        parts.reduce((sum, p) => sum + p.committed.size, 0) + [...files.values()].reduce((a, b) => a + b, 0),
      keyGroupRanges: parts
        .map((p) => p.metadata.keyGroupRange)
        .sort((a, b) => a.startKeyGroup - b.startKeyGroup),
      stateNames: [...new Set(parts.flatMap((p) => p.metadata.states.map((s) => s.name)))].sort(),
      parts,
    });
  }
  return summaries;
}

/** What {@link inspectCheckpoints} found for one checkpoint id. */
export type CheckpointStatus =
  | {
      readonly checkpointId: number;
      /** Its parts hold every key group of the operator (of `maxParallelism`). */
      readonly state: 'complete';
      readonly summary: CheckpointSummary;
    }
  | {
      readonly checkpointId: number;
      /** Readable, but some key groups have no part: a writer did not commit it. */
      readonly state: 'incomplete';
      readonly summary: CheckpointSummary;
      /** The key groups no part holds. */
      readonly missing: readonly KeyGroupRange[];
    }
  | {
      readonly checkpointId: number;
      /** A commit record of it cannot be read or decoded. */
      readonly state: 'corrupt';
      readonly records: readonly CommittedCheckpoint[];
      /** Why, e.g. the `CorruptCheckpointError`'s reason. */
      readonly reason: string;
    };

/**
 * Every committed checkpoint id under the storage's location with its state: complete,
 * incomplete (key groups missing), or corrupt (with the reason). Unlike {@link listCheckpoints},
 * a corrupt commit record is reported rather than thrown, so a tool can still show, prune or
 * restore the others.
 *
 * @example
 * ```ts
 * for (const c of await inspectCheckpoints(storage)) console.log(c.checkpointId, c.state);
 * ```
 */
export async function inspectCheckpoints(storage: CheckpointStorage): Promise<CheckpointStatus[]> {
  const byId = groupById(await storage.listCommitted());
  const statuses: CheckpointStatus[] = [];
  let maxParallelism: number | undefined;
  const readable: CheckpointSummary[] = [];
  for (const id of [...byId.keys()].sort((a, b) => a - b)) {
    const records = byId.get(id) ?? [];
    try {
      const [summary] = await summarize(storage, new Map([[id, records]]));
      if (summary === undefined) continue;
      readable.push(summary);
      maxParallelism ??= summary.parts[0]?.metadata.maxParallelism;
      statuses.push({ checkpointId: id, state: 'complete', summary });
    } catch (error) {
      const reason = unreadableReason(error);
      if (reason === undefined) throw error;
      statuses.push({ checkpointId: id, state: 'corrupt', records, reason });
    }
  }
  return statuses.map((status) => {
    if (status.state !== 'complete' || maxParallelism === undefined) return status;
    let missing = [KeyGroupRange.of(0, maxParallelism - 1)];
    for (const range of status.summary.keyGroupRanges) missing = subtractRange(missing, range);
    return missing.length === 0 ? status : { ...status, state: 'incomplete', missing };
  });
}

/** Why a commit record cannot be read as one, or undefined for any other failure (storage, network). */
export function unreadableReason(error: unknown): string | undefined {
  if (error instanceof CorruptCheckpointError || error instanceof NotACheckpointError) return error.reason;
  if (error instanceof UnsupportedCheckpointVersionError) {
    return `format version ${error.version} is not one this version reads (${error.supported.join(', ')})`;
  }
  return undefined;
}
