import type { CheckpointMetadata } from '../metadata/checkpoint-metadata.js';
import type { CommittedCheckpoint } from '../storage/checkpoint-storage.js';

/**
 * The data files each commit record references, for the commit records a writer already knows:
 * those it committed, those its restore read, and those its retention read before. A commit
 * record is written once under a name of its checkpoint id, range and epoch and never changed
 * (only deleted), so what it references never has to be read again: retention reads only the
 * records it has not seen. A record listed under a known name but with another size is read again.
 */
export class KnownCommitRecords {
  readonly #records = new Map<string, { readonly size: number; readonly files: readonly string[] }>();

  /** Records that `committed` references the data files of `metadata`. */
  remember(committed: CommittedCheckpoint, metadata: CheckpointMetadata): void {
    this.#records.set(committed.path, { size: committed.size, files: metadata.files.map((f) => f.path) });
  }

  /** The paths of the data files `committed` references; undefined when it is not known. */
  filesOf(committed: CommittedCheckpoint): readonly string[] | undefined {
    const known = this.#records.get(committed.path);
    return known?.size === committed.size ? known.files : undefined;
  }

  /** Forgets every record not in `listed` (deleted since). */
  keepOnly(listed: readonly CommittedCheckpoint[]): void {
    const paths = new Set(listed.map((c) => c.path));
    for (const path of this.#records.keys()) if (!paths.has(path)) this.#records.delete(path);
  }
}
