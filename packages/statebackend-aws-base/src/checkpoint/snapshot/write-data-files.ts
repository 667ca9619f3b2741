import { StateBackendError } from '../../errors.js';
import { dataFileChunkPool } from '../format/chunk-pool.js';
import type { SnapshotCompression } from '../format/key-group-file-format.js';
import type { CheckpointFile } from '../metadata/checkpoint-metadata.js';
import type { CheckpointStorage, WriterLease, WrittenFile } from '../storage/checkpoint-storage.js';
import type { ChangedCells } from './changed-cells.js';
import { encodeKeyGroupFile, keyGroupIterator } from './key-group-file-encoder.js';
import type { SnapshotPlan, WrittenBlocks } from './snapshot-strategy.js';
import type { StateSnapshotView } from './state-snapshot-view.js';

/** What one snapshot writes its data files with. */
export interface DataFileTarget {
  readonly storage: CheckpointStorage;
  readonly lease: WriterLease;
  readonly checkpointId: number;
  readonly view: StateSnapshotView;
  readonly plan: SnapshotPlan;
  /** Throws when the snapshot was aborted; called between files and chunks. */
  readonly checkAborted: () => void;
}

/** How data files are cut and compressed. */
export interface DataFileFormat {
  /** A file ends after the key group that brings it to this size. */
  readonly targetFileSize: number;
  readonly compression: SnapshotCompression;
}

/**
 * Writes the data files of a plan: the key groups written whole, then the delta files. Each file
 * ends at a key-group boundary once it reaches the target size. Files are appended to `written`
 * (and their blocks to `blocks`) as soon as stored, so that a failure later knows what to remove.
 */
export async function writeDataFiles(
  target: DataFileTarget,
  format: DataFileFormat,
  written: CheckpointFile[],
  blocks: WrittenBlocks[],
): Promise<void> {
  const { storage, lease, checkpointId, view, plan, checkAborted } = target;
  // Chunk buffers are used again only where the storage lets go of them once a file is written.
  const pool = storage.releasesChunks === true ? dataFileChunkPool : undefined;
  const batches: { keyGroups: Iterable<number>; delta: ChangedCells | undefined }[] = [
    { keyGroups: plan.keyGroups, delta: undefined },
  ];
  if (plan.delta !== undefined) batches.push({ keyGroups: plan.delta.keyGroups, delta: plan.delta.cells });
  for (const batch of batches) {
    const keyGroups = keyGroupIterator(batch.keyGroups);
    while (!keyGroups.done) {
      checkAborted();
      const encoded = encodeKeyGroupFile(view, keyGroups, {
        kind: 'data',
        dropExpired: plan.dropExpired,
        targetFileSize: format.targetFileSize,
        compression: format.compression,
        ...(batch.delta === undefined ? {} : { delta: batch.delta }),
        ...(pool === undefined ? {} : { chunkPool: pool }),
      });
      const handedOut: Uint8Array[] = [];
      let file: WrittenFile;
      try {
        file = await storage.writeFile(
          lease,
          checkpointId,
          plan.scope,
          abortable(encoded.content, checkAborted, handedOut),
        );
      } finally {
        // Settled: the storage reads none of the chunks any more.
        pool?.release(handedOut);
      }
      const result = encoded.result();
      written.push({
        path: file.path,
        size: result.size,
        crc32: result.crc32,
        checkpointId,
        keyGroups: result.keyGroups,
        entries: result.entries,
        ...(batch.delta === undefined ? {} : { delta: true as const }),
      });
      blocks.push({ delta: batch.delta !== undefined, blocks: result.blocks });
      if (file.size !== result.size) {
        throw new StateBackendError(
          `Checkpoint storage stored ${file.size} bytes of '${file.path}', not ${result.size}.`,
        );
      }
    }
  }
}

/** Chunks encoded ahead of the storage's reads: encoding goes on while the storage writes. */
const READ_AHEAD = 4;

/**
 * `chunks`, read ahead by up to {@link READ_AHEAD} chunks, so that the encoder (and its worker)
 * keeps going while the storage writes the chunk before, as a local file system does one write at
 * a time. Each chunk is recorded in `handedOut` as it is read, and `check` runs before each is
 * handed on.
 */
async function* abortable(
  chunks: AsyncIterable<Uint8Array>,
  check: () => void,
  handedOut: Uint8Array[],
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<Uint8Array>>[] = [];
  let ended = false;
  const readNext = (): void => {
    if (ended || ahead.length >= READ_AHEAD) return;
    const next = iterator.next().then((result) => {
      if (result.done === true) ended = true;
      else handedOut.push(result.value);
      return result;
    });
    // A failure surfaces where the chunk is awaited; one never awaited (the storage stopped) is dropped.
    next.catch(() => undefined);
    ahead.push(next);
  };
  try {
    readNext();
    for (;;) {
      const next = await (ahead.shift() as Promise<IteratorResult<Uint8Array>>);
      if (next.done === true) return;
      readNext();
      readNext();
      check();
      yield next.value;
    }
  } finally {
    if (!ended) {
      // Stop the encoder once what it is doing settles.
      await Promise.allSettled(ahead);
      await iterator.return?.();
    }
  }
}
