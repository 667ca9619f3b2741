import { performance } from 'node:perf_hooks';

/**
 * Share of the thread a snapshot takes while other work waits (records, the upload's I/O): the
 * issue's goal is at most a quarter of the processing rate lost while a checkpoint runs, and the
 * upload and the collector take some of that too.
 */
const SHARE = 0.2;
/** Shortest slice of work between two turns of the event loop, in ms. */
const MIN_SLICE_MS = 0.1;
/** Longest slice: the longest a record waits for a snapshot being encoded. */
const MAX_SLICE_MS = 3;
/** A turn of the event loop this short ran nothing else: nobody waits for the snapshot's slices. */
const IDLE_TURN_MS = 0.05;

/**
 * Paces the asynchronous part of a snapshot, which shares the one JavaScript thread with record
 * processing: the encoder asks {@link due} every few cells and, when its slice is used up,
 * awaits {@link pause}, which lets every queued callback (records, I/O of the upload) run.
 *
 * While other work keeps arriving, each slice is a quarter of the time the others just took
 * ({@link SHARE} of the thread; at least {@link MIN_SLICE_MS}, at most {@link MAX_SLICE_MS}), so
 * processing goes on at most of its rate rather than stopping. When a turn ran nothing else, the
 * next slice is the longest: the snapshot then runs nearly flat out, with few turns to pay for.
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
    const others = resumed - paused;
    this.#budget =
      others < IDLE_TURN_MS
        ? MAX_SLICE_MS
        : Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, (others * SHARE) / (1 - SHARE)));
    this.#sliceStart = resumed;
  }

  /** {@link pause} when the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
