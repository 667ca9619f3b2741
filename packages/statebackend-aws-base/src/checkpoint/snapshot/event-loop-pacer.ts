import { performance } from 'node:perf_hooks';

/**
 * Share of the thread a snapshot takes while other work waits (records, the upload's I/O): the
 * issue's goal is at most a quarter of the processing rate lost while a checkpoint runs, and the
 * upload, the collector and records slowed by the snapshot's own memory traffic take some of it.
 */
const SHARE = 0.2;
/** Shortest slice: the snapshot waits through turns until it earned this much, in ms. */
const MIN_SLICE_MS = 1;
/** Longest slice: the longest a record waits for a snapshot being encoded, in ms. */
const MAX_SLICE_MS = 3;
/** A turn of the event loop this short ran nothing else: nobody waits for the snapshot's slices. */
const IDLE_TURN_MS = 0.05;
/**
 * The slice after a turn that ran nothing else: work that arrives meanwhile (an I/O callback)
 * waits at most this long, and the turns cost a few percent of an idle snapshot.
 */
const IDLE_SLICE_MS = 0.25;

/**
 * Paces the asynchronous part of a snapshot, which shares the one JavaScript thread with record
 * processing: the encoder asks {@link due} every few cells and, when its slice is used up,
 * awaits {@link pause}, which lets every queued callback (records, I/O of the upload) run.
 *
 * While other work keeps arriving, the snapshot earns {@link SHARE} of the time: each turn of the
 * event loop the others take earns it a quarter of that turn, each slice spends what it took, and
 * a slice that ran over (a step that could not be cut, a collection) is paid back by the slices
 * after it, so the share holds on average however coarse the steps are. Slices are from
 * {@link MIN_SLICE_MS} to {@link MAX_SLICE_MS}. When a turn ran nothing else, nobody waits: the
 * snapshot runs on in slices of {@link IDLE_SLICE_MS}, and the turns between them return at once.
 */
export class EventLoopPacer {
  #sliceStart = performance.now();
  /** Milliseconds of the thread the snapshot may still take before the next turn. */
  #balance = IDLE_SLICE_MS;

  /** Whether the current slice is used up. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#balance;
  }

  /**
   * Gives the event loop turns until the snapshot earned a slice of at least {@link MIN_SLICE_MS}
   * (or a turn ran nothing else), and starts it. Waiting through several turns costs a callback
   * each, less than resuming the encoder for a sliver of work each time.
   */
  async pause(): Promise<void> {
    const paused = performance.now();
    let balance = this.#balance - (paused - this.#sliceStart);
    let last = paused;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = performance.now();
      const others = now - last;
      last = now;
      if (others < IDLE_TURN_MS) {
        balance = IDLE_SLICE_MS;
        break;
      }
      balance = Math.min(MAX_SLICE_MS, balance + (others * SHARE) / (1 - SHARE));
      if (balance >= MIN_SLICE_MS) break;
    }
    this.#balance = balance;
    this.#sliceStart = last;
  }

  /** {@link pause} when the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
