import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import { StateBackendError } from '../../errors.js';
import {
  createSealer,
  type Sealed,
  type Sealer,
  type SealingZlib,
  type SealRequest,
} from './chunk-sealing.js';
import { crc32 } from './crc32.js';
import { crc32Combine } from './crc32-combine.js';

/** A worker without chunks to seal for this long ends; the next chunk starts another. */
const IDLE_MS = 60_000;

/** What the worker thread runs: the sealer's own source, fed by messages. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const sealer = (${createSealer.toString()})(require('node:zlib'));
parentPort.on('message', ({ id, request }) => {
  const { bytes } = request;
  try {
    const sealed = sealer.seal(request);
    let compressed = sealed.compressed;
    // Only a buffer of its own can be transferred (small results come from Node's buffer pool).
    if (compressed !== undefined && compressed.byteLength !== compressed.buffer.byteLength) {
      compressed = new Uint8Array(compressed);
    }
    const transfer = [bytes.buffer];
    if (compressed !== undefined) transfer.push(compressed.buffer);
    parentPort.postMessage({ id, sealed: { ...sealed, compressed } }, transfer);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.stack || error), bytes }, [bytes.buffer]);
  }
});
`;

type Pending = {
  readonly resolve: (sealed: Sealed) => void;
  readonly reject: (error: unknown) => void;
  readonly from: ArrayBufferLike;
  readonly onMoved: ((from: ArrayBufferLike, to: ArrayBufferLike) => void) | undefined;
};

/**
 * Seals the chunks of checkpoint data files (see `chunk-sealing.ts`) on one worker thread shared
 * by every file of the process, so that the main thread, which also processes records, neither
 * checksums nor compresses them. A chunk's buffer is transferred to the worker and back, not
 * copied. The worker keeps the process alive only while it has chunks to seal, and ends after a
 * minute without any. Where no worker can be started, chunks are sealed on this thread.
 *
 * The worker runs the sealer's source text rather than a module file: that works alike from the
 * package's build, from its sources under test, and in an application bundled into one file, where
 * a worker file beside the module would be missing.
 */
export class ChunkSealer {
  #worker: Worker | undefined;
  #nextId = 0;
  #nextFile = 0;
  readonly #pending = new Map<number, Pending>();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #local: Sealer | undefined;

  /** An id for a new file's chunks. */
  newFile(): number {
    return this.#nextFile++;
  }

  /**
   * Seals `request` on the worker. Its buffer is transferred there and back: `request.bytes` is
   * unusable until then, and `sealed.bytes` views the same bytes in the buffer that came back;
   * `onMoved` learns of the move (a chunk pool tracks its buffers by identity).
   */
  seal(
    request: SealRequest,
    onMoved?: (from: ArrayBufferLike, to: ArrayBufferLike) => void,
  ): Promise<Sealed> {
    const worker = this.#ensureWorker();
    if (worker === undefined) return Promise.resolve(this.sealHere(request));
    const id = this.#nextId++;
    const from = request.bytes.buffer;
    return new Promise<Sealed>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, from, onMoved });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, request }, [from as ArrayBuffer]);
    });
  }

  /** Seals `request` on this thread. */
  sealHere(request: SealRequest): Sealed {
    this.#local ??= createSealer(
      { crc32, zstdCompressSync: (zlib as SealingZlib).zstdCompressSync, constants: zlib.constants },
      crc32Combine,
    );
    return this.#local.seal(request);
  }

  #ensureWorker(): Worker | undefined {
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    if (this.#worker !== undefined) return this.#worker;
    // Node.js before 22.2 has no native CRC-32 for the worker to use.
    if (typeof (zlib as Partial<SealingZlib>).crc32 !== 'function') return undefined;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, name: 'statebackend-chunk-sealer' });
    } catch {
      return undefined;
    }
    worker.unref();
    worker.on('message', (message: { id: number; sealed?: Sealed; error?: string; bytes?: Uint8Array }) =>
      this.#answered(message),
    );
    worker.on('error', (error) => this.#failed(worker, error));
    worker.on('exit', (code) => this.#failed(worker, new Error(`it exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #answered(message: { id: number; sealed?: Sealed; error?: string; bytes?: Uint8Array }): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    const bytes = message.sealed?.bytes ?? message.bytes;
    if (bytes !== undefined) pending.onMoved?.(pending.from, bytes.buffer);
    if (message.sealed !== undefined) pending.resolve(message.sealed);
    else pending.reject(new StateBackendError(`Sealing a checkpoint data chunk failed: ${message.error}`));
    this.#settle();
  }

  #failed(worker: Worker, error: unknown): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const failure = new StateBackendError('The worker thread sealing checkpoint data chunks stopped.', {
      cause: error,
    });
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
    void worker.terminate();
  }

  /** With nothing to seal, the worker no longer holds the process, and ends after a while. */
  #settle(): void {
    const worker = this.#worker;
    if (this.#pending.size > 0 || worker === undefined) return;
    worker.unref();
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#worker !== worker || this.#pending.size > 0) return;
      this.#worker = undefined;
      void worker.terminate();
    }, IDLE_MS);
    this.#idleTimer.unref();
  }
}

/** The sealer of every checkpoint data file of the process. */
export const chunkSealer = new ChunkSealer();
