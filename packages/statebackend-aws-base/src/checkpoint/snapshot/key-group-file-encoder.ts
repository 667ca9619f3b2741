import { StateBackendError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { ChecksummedChunk } from '../format/checksummed-chunk.js';
import type { ChunkPool } from '../format/chunk-pool.js';
import { chunkSealer } from '../format/chunk-sealer.js';
import type { TakenChunk } from '../format/frame-sequence.js';
import type { KeyGroupFileKind, SnapshotCompression } from '../format/key-group-file-format.js';
import { type KeyGroupFileSummary, KeyGroupFileWriter } from '../format/key-group-file-writer.js';
import type { JsonValue } from '../json.js';
import { rangesOfKeyGroups } from '../range-set.js';
import type { ChangedCells } from './changed-cells.js';
import { EventLoopPacer } from './event-loop-pacer.js';
import type { StateSnapshotView } from './state-snapshot-view.js';

/** Options of {@link encodeKeyGroupFile}. */
export interface EncodeOptions {
  readonly kind: KeyGroupFileKind;
  /** Start a new file after a key group that brings this one to this size. Default: no limit. */
  readonly targetFileSize?: number;
  readonly dropExpired: boolean;
  readonly properties?: JsonValue;
  /** Write a delta file holding only these cells of each key group (see `StateSnapshotView.writeKeyGroupDelta`). */
  readonly delta?: ChangedCells;
  /** Compress the file's frames with zstd (data files only). Default `none`. */
  readonly compression?: SnapshotCompression;
  /** Where chunk buffers come from; the caller gives the chunks back once written. */
  readonly chunkPool?: ChunkPool;
}

/** An encoded file: its chunks to write, and what it held once they are written. */
export interface EncodedFile {
  /** The file's bytes, chunk by chunk, each carrying its CRC-32. */
  readonly content: AsyncIterable<ChecksummedChunk>;
  /** Available after `content` was consumed to the end. */
  result(): EncodedFileResult;
}

export interface EncodedFileResult extends KeyGroupFileSummary {
  /** Every key group this file is responsible for, empty ones included. */
  readonly keyGroups: readonly KeyGroupRange[];
}

/**
 * Encodes the key groups `keyGroups` yields (ascending) from `view` into one key-group file,
 * chunk by chunk, stopping after the key group that reaches the target size; call again with
 * the same iterator for the next file. Gives the event loop a turn whenever its slice of the
 * thread is used up ({@link EventLoopPacer}), within key groups too, so the backend keeps
 * processing records while a snapshot is written.
 */
export function encodeKeyGroupFile(
  view: StateSnapshotView,
  keyGroups: Iterator<number>,
  options: EncodeOptions,
): EncodedFile {
  const delta = options.delta;
  const writeDelta = view.writeKeyGroupDelta?.bind(view);
  const writeInSlices = view.writeKeyGroupInSlices?.bind(view);
  const pacer = new EventLoopPacer();
  if (delta !== undefined && writeDelta === undefined) {
    throw new StateBackendError('encodeKeyGroupFile: a delta file needs a view that writes deltas');
  }
  const writer = new KeyGroupFileWriter({
    kind: options.kind,
    ...(delta === undefined ? {} : { delta: true }),
    stateNames: view.states.map((state) => state.name),
    ...(options.properties === undefined ? {} : { properties: options.properties }),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.chunkPool === undefined ? {} : { chunkPool: options.chunkPool }),
  });
  const covered: number[] = [];
  let summary: KeyGroupFileSummary | undefined;
  const limit = options.targetFileSize ?? Number.POSITIVE_INFINITY;
  const sealing = new SealPipeline(writer, options.chunkPool);
  async function* chunks(): AsyncGenerator<ChecksummedChunk> {
    while (writer.size < limit) {
      const next = keyGroups.next();
      if (next.done === true) break;
      writer.beginKeyGroup(next.value);
      const cells = delta?.cellsOf(next.value);
      if (delta !== undefined && writeDelta !== undefined) {
        if (cells !== undefined) writeDelta(next.value, cells, writer, options.dropExpired);
      } else if (writeInSlices !== undefined) {
        const slices = writeInSlices(next.value, writer, options.dropExpired);
        while (slices.next().done !== true) if (pacer.due()) await pacer.pause();
      } else {
        view.writeKeyGroup(next.value, writer, options.dropExpired);
      }
      // Closing a large key group splits its block into sub-blocks: in slices too.
      const closing = writer.endKeyGroupInSlices();
      while (closing.next().done !== true) if (pacer.due()) await pacer.pause();
      view.keyGroupWritten?.(next.value);
      covered.push(next.value);
      sealing.start(writer.takeChunkToSeal());
      while (sealing.full) {
        // Waiting for the worker, then for the storage to read on: not the encoder's slice.
        pacer.suspend();
        const chunk = await sealing.next();
        yield chunk;
        pacer.resume();
      }
      await pacer.maybePause();
    }
    sealing.start(writer.takeChunkToSeal(true));
    while (!sealing.empty) yield await sealing.next();
    yield writer.finish();
    summary = writer.summary();
  }
  return {
    content: { [Symbol.asyncIterator]: chunks },
    result() {
      if (summary === undefined)
        throw new StateBackendError('encodeKeyGroupFile: result() was called before the content was written');
      return { ...summary, keyGroups: rangesOfKeyGroups(covered) };
    },
  };
}

/** Chunks sealed at the same time, each while the next key groups are encoded. */
const CHUNKS_IN_FLIGHT = 2;

/**
 * The chunks of a file on their way out: sealed (checksummed, and compressed in a compressed
 * file) on the worker thread while this thread encodes the next key groups (and processes
 * records), then handed out in order.
 */
class SealPipeline {
  readonly #writer: KeyGroupFileWriter;
  readonly #pool: ChunkPool | undefined;
  readonly #inFlight: Promise<ChecksummedChunk>[] = [];
  #last: Promise<unknown> = Promise.resolve();

  constructor(writer: KeyGroupFileWriter, pool: ChunkPool | undefined) {
    this.#writer = writer;
    this.#pool = pool;
  }

  get full(): boolean {
    return this.#inFlight.length > CHUNKS_IN_FLIGHT;
  }

  get empty(): boolean {
    return this.#inFlight.length === 0;
  }

  start(taken: TakenChunk | undefined): void {
    if (taken === undefined) return;
    const pool = this.#pool;
    const sealed = chunkSealer.seal(
      taken.request,
      pool === undefined ? undefined : (from, to) => pool.moved(from, to),
    );
    // Completed in the order taken, whichever seal comes back first.
    const chunk = Promise.all([this.#last, sealed]).then(([, s]) => this.#writer.completeSealed(taken, s));
    // A failure surfaces where the chunk is awaited; one never awaited (the upload stopped) is dropped.
    chunk.catch(() => undefined);
    this.#last = chunk;
    this.#inFlight.push(chunk);
  }

  /** The oldest chunk. */
  next(): Promise<ChecksummedChunk> {
    return this.#inFlight.shift() as Promise<ChecksummedChunk>;
  }
}

/** An iterator over `keyGroups` that can be shared by consecutive {@link encodeKeyGroupFile} calls. */
export function keyGroupIterator(keyGroups: Iterable<number>): Iterator<number> & { readonly done: boolean } {
  const inner = keyGroups[Symbol.iterator]();
  let peeked = inner.next();
  return {
    get done() {
      return peeked.done === true;
    },
    next() {
      const current = peeked;
      if (current.done !== true) peeked = inner.next();
      return current;
    },
  };
}
