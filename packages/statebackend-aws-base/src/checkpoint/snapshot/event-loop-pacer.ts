import { performance } from 'node:perf_hooks';

/** Shortest slice of work between two turns of the event loop, in ms. */
const MIN_SLICE_MS = 0.25;
/** Longest slice: the longest a record waits for a snapshot being encoded. */
const MAX_SLICE_MS = 8;

/**
 * Paces the asynchronous part of a snapshot, which shares the one JavaScript thread with record
 * processing: the encoder asks {@link due} every few cells and, when its slice is used up,
 * awaits {@link pause}, which lets every queued callback (records, I/O of the upload) run.
 *
 * The next slice is as long as the others just took (at least {@link MIN_SLICE_MS}, at most
 * {@link MAX_SLICE_MS}): while records keep arriving, the snapshot takes about half the thread
 * and processing goes on at about half its rate rather than stopping; when nothing else waits,
 * pauses return at once and the snapshot runs nearly flat out.
 */
export class EventLoopPacer {
  #sliceStart = performance.now();
  #budget = MIN_SLICE_MS;

  /** Whether the current slice is used up. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#budget;
  }

  /** Gives the event loop a turn and starts the next slice. */
  async pause(): Promise<void> {
    const paused = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const resumed = performance.now();
    this.#budget = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, resumed - paused));
    this.#sliceStart = resumed;
  }

  /** {@link pause} when the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
