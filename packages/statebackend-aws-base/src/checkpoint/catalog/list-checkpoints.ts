import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { CheckpointStorage } from '../storage/checkpoint-storage.js';
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
  const byId = groupById(await storage.listCommitted());
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
