import type { KeyGroupRange } from '@statebackend/aws-base';

/**
 * One ancestor writer whose committed versions a restored owner still sees: versions of epoch
 * `epoch` with a generation up to `cutoff`, in key groups `start..end`. Its later writes (after
 * the checkpoint that was restored, or after it was fenced) are invisible.
 */
export interface LineageEntry {
  readonly epoch: number;
  readonly cutoff: number;
  readonly start: number;
  readonly end: number;
}

/** A committed checkpoint of one range, as its commit record says. */
export interface CommitRecord {
  readonly checkpointId: number;
  readonly epoch: number;
  /** The last generation of `epoch` the checkpoint covers. */
  readonly cutoff: number;
  readonly start: number;
  readonly end: number;
  readonly lineage: readonly LineageEntry[];
  readonly metadata: Uint8Array;
  readonly committedAt: number;
  /** Checkpoint ids of this range still restorable when it was written (or last confirmed), itself included. */
  readonly restorable: readonly number[];
  /**
   * The states the checkpoint holds, with their serializers and TTL, as a JSON array of aws-base's
   * checkpointed states: what lets a reader without the job's code (a savepoint export, the
   * command line) decode it. Absent when the writer gave none (the store used on its own).
   */
  readonly states?: string;
  /** The writer's max parallelism and buckets per key group: how a reader finds the data. */
  readonly maxParallelism?: number;
  readonly buckets?: number;
  /** What the checkpoint's flush wrote (its incremental size): entries, and bytes of keys and values. */
  readonly written?: { readonly entries: number; readonly bytes: number };
}

/**
 * The lineage of an owner of `range` restoring, for each key group, the commit `choose` picks:
 * the writer of that commit up to its cutoff, then that commit's own lineage, each cut to the
 * key groups that picked the commit.
 */
export function lineageFor(range: KeyGroupRange, choose: (keyGroup: number) => CommitRecord): LineageEntry[] {
  const entries: LineageEntry[] = [];
  let runStart = range.startKeyGroup;
  let runCommit = choose(runStart);
  const close = (end: number): void => {
    const candidates: LineageEntry[] = [
      { epoch: runCommit.epoch, cutoff: runCommit.cutoff, start: runCommit.start, end: runCommit.end },
      ...runCommit.lineage,
    ];
    for (const entry of candidates) {
      const start = Math.max(entry.start, runStart);
      const stop = Math.min(entry.end, end);
      if (start <= stop)
        appendMerged(entries, { epoch: entry.epoch, cutoff: entry.cutoff, start, end: stop });
    }
  };
  for (let kg = range.startKeyGroup + 1; kg <= range.endKeyGroup; kg++) {
    const commit = choose(kg);
    if (commit === runCommit) continue;
    close(kg - 1);
    runStart = kg;
    runCommit = commit;
  }
  close(range.endKeyGroup);
  return entries;
}

function appendMerged(entries: LineageEntry[], entry: LineageEntry): void {
  const same = entries.find(
    (e) => e.epoch === entry.epoch && e.cutoff === entry.cutoff && e.end + 1 === entry.start,
  );
  if (same === undefined) {
    entries.push(entry);
    return;
  }
  entries[entries.indexOf(same)] = { ...same, end: entry.end };
}

/** The ancestors of key group `keyGroup`, newest epoch first: the order reads consult them. */
export function ancestorsOf(lineage: readonly LineageEntry[], keyGroup: number): LineageEntry[] {
  return lineage.filter((e) => e.start <= keyGroup && keyGroup <= e.end).sort((a, b) => b.epoch - a.epoch);
}

/**
 * `lineage` without the ancestors of `keyGroups`: each entry cut to the key groups outside the set
 * (`kept`), and the pieces cut off (`dropped`). Key groups whose entries were copied forward by a
 * compaction need no ancestor any more; the others keep theirs.
 */
export function cutLineage(
  lineage: readonly LineageEntry[],
  keyGroups: ReadonlySet<number>,
): { kept: LineageEntry[]; dropped: LineageEntry[] } {
  if (keyGroups.size === 0) return { kept: [...lineage], dropped: [] };
  const kept: LineageEntry[] = [];
  const dropped: LineageEntry[] = [];
  for (const entry of lineage) {
    let runStart = entry.start;
    let runCut = keyGroups.has(entry.start);
    for (let kg = entry.start + 1; kg <= entry.end + 1; kg++) {
      const cut = kg <= entry.end && keyGroups.has(kg);
      if (kg <= entry.end && cut === runCut) continue;
      (runCut ? dropped : kept).push({ ...entry, start: runStart, end: kg - 1 });
      runStart = kg;
      runCut = cut;
    }
  }
  return { kept, dropped };
}
