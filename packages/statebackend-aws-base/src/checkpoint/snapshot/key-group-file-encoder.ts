import { StateBackendError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { ChecksummedChunk } from '../format/checksummed-chunk.js';
import type { ChunkPool } from '../format/chunk-pool.js';
import type { FrameCompressor } from '../format/frame-codec.js';
import type { RawFrame } from '../format/frame-sequence.js';
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
  const frames = writer.compressor === undefined ? undefined : new FramePipeline(writer, writer.compressor);
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
      writer.endKeyGroup();
      covered.push(next.value);
      if (frames === undefined) {
        const chunk = writer.takeChunk();
        if (chunk !== undefined) yield chunk;
      } else {
        frames.start(writer.takeFrame());
        while (frames.full) yield await frames.next();
      }
      await pacer.maybePause();
    }
    if (frames !== undefined) {
      frames.start(writer.takeFrame(true));
      while (!frames.empty) yield await frames.next();
    }
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

/** Frames compressed at the same time, each while the next key groups are encoded. */
const FRAMES_IN_FLIGHT = 2;

/**
 * The frames of a compressed file on their way out: compressed on Node's thread pool while this
 * thread encodes the next key groups (and processes records), then handed out in order.
 */
class FramePipeline {
  readonly #writer: KeyGroupFileWriter;
  readonly #compressor: FrameCompressor;
  readonly #inFlight: Promise<ChecksummedChunk>[] = [];
  #last: Promise<unknown> = Promise.resolve();

  constructor(writer: KeyGroupFileWriter, compressor: FrameCompressor) {
    this.#writer = writer;
    this.#compressor = compressor;
  }

  get full(): boolean {
    return this.#inFlight.length > FRAMES_IN_FLIGHT;
  }

  get empty(): boolean {
    return this.#inFlight.length === 0;
  }

  start(frame: RawFrame | undefined): void {
    if (frame === undefined) return;
    const encoded = this.#compressor.encodeAsync(frame.payload);
    // Completed in the order taken, whichever compression finishes first.
    const chunk = Promise.all([this.#last, encoded]).then(([, e]) => this.#writer.completeFrame(frame, e));
    // A failure surfaces where the chunk is awaited; one never awaited (the upload stopped) is dropped.
    chunk.catch(() => undefined);
    this.#last = chunk;
    this.#inFlight.push(chunk);
  }

  /** The oldest frame's chunk. */
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
