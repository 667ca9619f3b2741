import type { ChunkPool } from './chunk-pool.js';
import { uninitialized } from './direct-bytes.js';

/**
 * An append-only byte buffer that grows by doubling and hands out finished chunks.
 *
 * Encoding a snapshot writes millions of small fields; writing them into one growing buffer
 * instead of allocating a `Uint8Array` per field keeps the cost to a few copies per entry.
 * {@link ByteWriter.takeChunk} hands the filled part to the caller without copying and starts a
 * fresh buffer, so a stream of chunks can be written out while encoding continues.
 */
export class ByteWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #position = 0;
  /** Bytes handed out by {@link takeChunk} so far. */
  #flushed = 0;
  readonly #initialCapacity: number;
  readonly #pool: ChunkPool | undefined;

  /**
   * `pool`: where buffers of the pool's capacity come from (then `initialCapacity` is ignored);
   * chunks taken are the caller's to give back once nothing reads them any more.
   */
  constructor(initialCapacity = 64 * 1024, pool?: ChunkPool) {
    this.#pool = pool;
    this.#initialCapacity = pool === undefined ? initialCapacity : pool.capacity;
    this.#buffer = this.#allocate(this.#initialCapacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written since construction, including chunks already taken. */
  get totalLength(): number {
    return this.#flushed + this.#position;
  }

  /** Bytes written since the last {@link takeChunk}. */
  get pendingLength(): number {
    return this.#position;
  }

  #ensure(extra: number): void {
    const needed = this.#position + extra;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = this.#allocate(capacity);
    next.set(this.#buffer.subarray(0, this.#position));
    // Nothing was handed out of the old buffer since the last chunk: it can be lent again.
    this.#pool?.release([this.#buffer]);
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
  }

  /**
   * A buffer of its own (not a slice of Node's pool) left uninitialized: only bytes written are
   * ever handed out, and zeroing a megabyte per chunk showed in profiles of large snapshots.
   */
  #allocate(capacity: number): Uint8Array {
    if (this.#pool !== undefined && capacity === this.#pool.capacity) return this.#pool.acquire();
    return uninitialized(capacity);
  }

  writeU8(value: number): void {
    this.#ensure(1);
    this.#buffer[this.#position++] = value;
  }

  writeU16(value: number): void {
    this.#ensure(2);
    this.#view.setUint16(this.#position, value, true);
    this.#position += 2;
  }

  writeU32(value: number): void {
    this.#ensure(4);
    this.#view.setUint32(this.#position, value, true);
    this.#position += 4;
  }

  /** A non-negative integer up to 2^53 - 1 as an unsigned 64-bit little-endian integer. */
  writeU64(value: number): void {
    this.#ensure(8);
    this.#view.setUint32(this.#position, value % 0x1_0000_0000, true);
    this.#view.setUint32(this.#position + 4, Math.floor(value / 0x1_0000_0000), true);
    this.#position += 8;
  }

  /** A non-negative integer up to 2^53 - 1 as unsigned LEB128 (at most 8 bytes). */
  writeVarUint(value: number): void {
    this.#ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.#buffer[this.#position++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buffer[this.#position++] = v;
  }

  writeBytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.#ensure(length);
    if (length < 16) {
      // A short loop beats `set()` for the small keys and values that dominate snapshots.
      for (let i = 0; i < length; i++) this.#buffer[this.#position + i] = bytes[i] as number;
    } else {
      this.#buffer.set(bytes, this.#position);
    }
    this.#position += length;
  }

  /**
   * Length as varuint, then the bytes an id stands for: a string with one character (0-255)
   * per byte, as in-memory tables key cells. Saves turning each id back into an array.
   */
  writeLatin1LengthPrefixed(id: string): void {
    const length = id.length;
    this.writeVarUint(length);
    this.#ensure(length);
    const buffer = this.#buffer;
    let position = this.#position;
    for (let i = 0; i < length; i++) buffer[position++] = id.charCodeAt(i);
    this.#position = position;
  }

  /** Length as varuint, then the bytes. */
  writeLengthPrefixed(bytes: Uint8Array): void {
    this.writeVarUint(bytes.length);
    this.writeBytes(bytes);
  }

  /**
   * Room for `extra` more bytes: the buffer to write them into, from {@link pendingLength} on.
   * Call {@link advance} with the position after the last byte written. For writers that put a
   * whole record with direct byte writes (see `direct-bytes.ts`) rather than one call per field.
   */
  reserve(extra: number): Uint8Array {
    this.#ensure(extra);
    return this.#buffer;
  }

  /** Ends a write into the buffer {@link reserve} returned: `position` is the new {@link pendingLength}. */
  advance(position: number): void {
    this.#position = position;
  }

  /** The bytes written since the last {@link takeChunk}, without copying. Valid until the next write. */
  peek(from = 0): Uint8Array {
    return this.#buffer.subarray(from, this.#position);
  }

  /**
   * Hands out the bytes written since the last call and continues in a new buffer. The returned
   * array is never written to again, so it can be passed to asynchronous I/O.
   */
  takeChunk(): Uint8Array {
    const chunk = this.#buffer.subarray(0, this.#position);
    this.#flushed += this.#position;
    this.#buffer = this.#allocate(
      Math.max(this.#initialCapacity, Math.min(this.#buffer.length, 4 * 1024 * 1024)),
    );
    this.#view = new DataView(this.#buffer.buffer);
    this.#position = 0;
    return chunk;
  }
}
