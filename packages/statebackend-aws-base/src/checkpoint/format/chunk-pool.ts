import { uninitialized } from './direct-bytes.js';

/** Size of the buffers of the shared pool: a 1 MiB chunk and room for the key group that ends it. */
export const POOLED_CHUNK_CAPACITY = 1024 * 1024 + 256 * 1024;
/** Most bytes the shared pool keeps between checkpoints. */
const MAX_POOLED_BYTES = 32 * 1024 * 1024;
/** A pool not drawn from for this long gives its buffers back to the allocator. */
const IDLE_MS = 60_000;

/**
 * Buffers of one size for the chunks of checkpoint data files, used again once the storage that
 * wrote them is done with them.
 *
 * Each snapshot encodes its whole state into chunks; allocating them afresh made the kernel
 * zero every page, and the collector count them, on the thread that also encodes and uploads: in
 * profiles of a full checkpoint on S3 that cost more than the encoding itself. Only buffers this
 * pool lent are taken back, each once, and only after the storage said it keeps no reference
 * (`CheckpointStorage.releasesChunks`). Buffers not drawn for a minute are dropped.
 */
export class ChunkPool {
  readonly capacity: number;
  readonly #maxBuffers: number;
  readonly #free: ArrayBuffer[] = [];
  /** Buffers lent and not yet given back: only these are taken back. */
  readonly #lent = new WeakSet<ArrayBuffer>();
  #drawnSinceTrim = false;
  #trimTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(capacity: number, maxBytes: number) {
    this.capacity = capacity;
    this.#maxBuffers = Math.floor(maxBytes / capacity);
  }

  /** A buffer of {@link capacity} bytes, uninitialized. */
  acquire(): Uint8Array {
    this.#drawnSinceTrim = true;
    const free = this.#free.pop();
    const buffer = free === undefined ? uninitialized(this.capacity) : new Uint8Array(free);
    this.#lent.add(buffer.buffer as ArrayBuffer);
    return buffer;
  }

  /** Takes back the buffers under `chunks` that this pool lent; others are left to the collector. */
  release(chunks: Iterable<Uint8Array>): void {
    for (const chunk of chunks) {
      const buffer = chunk.buffer as ArrayBuffer;
      if (!this.#lent.has(buffer)) continue;
      this.#lent.delete(buffer);
      if (this.#free.length < this.#maxBuffers) this.#free.push(buffer);
    }
    this.#scheduleTrim();
  }

  /**
   * A buffer this pool lent went to another thread and came back as `to` (transferred, not
   * copied): `to` is the one to take back now.
   */
  moved(from: ArrayBufferLike, to: ArrayBufferLike): void {
    if (!this.#lent.has(from as ArrayBuffer)) return;
    this.#lent.delete(from as ArrayBuffer);
    this.#lent.add(to as ArrayBuffer);
  }

  /** Buffers waiting to be lent again. */
  get pooled(): number {
    return this.#free.length;
  }

  #scheduleTrim(): void {
    if (this.#trimTimer !== undefined || this.#free.length === 0) return;
    this.#drawnSinceTrim = false;
    this.#trimTimer = setTimeout(() => {
      this.#trimTimer = undefined;
      if (!this.#drawnSinceTrim) this.#free.length = 0;
      this.#scheduleTrim();
    }, IDLE_MS);
    this.#trimTimer.unref();
  }
}

/** The pool every checkpoint data file's chunks come from when its storage gives them back. */
export const dataFileChunkPool = new ChunkPool(POOLED_CHUNK_CAPACITY, MAX_POOLED_BYTES);
