import { performance } from 'node:perf_hooks';

/**
 * Share of the thread a snapshot takes while other work waits (records, the upload's I/O): the
 * issue's goal is at most a quarter of the processing rate lost while a checkpoint runs, and the
 * upload, the collector and records slowed by the snapshot's own memory traffic take some of it.
 */
const SHARE = 0.125;
/** Longest slice: the longest a record waits for a snapshot being encoded, in ms. */
const MAX_SLICE_MS = 3;
/** A turn of the event loop this short ran nothing else: nobody waits for the snapshot's slices. */
const IDLE_TURN_MS = 0.05;

/**
 * Paces the asynchronous part of a snapshot, which shares the one JavaScript thread with record
 * processing: the encoder asks {@link due} every few cells and, when its slice is used up,
 * awaits {@link pause}, which lets every queued callback (records, I/O of the upload) run.
 *
 * While other work keeps arriving, the snapshot earns {@link SHARE} of the time: each turn of the
 * event loop the others take earns it a seventh of that turn, each slice spends what it took, and
 * a slice that ran over (a step that could not be cut, a collection) is paid back by the slices
 * after it, so the share holds on average however coarse the steps are. Slices are at most
 * {@link MAX_SLICE_MS}. When a turn ran nothing else, the snapshot may run a whole slice at
 * once: nobody waits, and few turns are paid for.
 */
export class EventLoopPacer {
  #sliceStart = performance.now();
  /** Milliseconds of the thread the snapshot may still take before the next turn. */
  #balance = MAX_SLICE_MS;

  /** Whether the current slice is used up. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#balance;
  }

  /** Gives the event loop a turn and starts the next slice. */
  async pause(): Promise<void> {
    const paused = performance.now();
    const used = paused - this.#sliceStart;
    await new Promise<void>((resolve) => setImmediate(resolve));
    const resumed = performance.now();
    const others = resumed - paused;
    this.#balance =
      others < IDLE_TURN_MS
        ? MAX_SLICE_MS
        : Math.min(MAX_SLICE_MS, this.#balance - used + (others * SHARE) / (1 - SHARE));
    this.#sliceStart = resumed;
  }

  /** {@link pause} when the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
