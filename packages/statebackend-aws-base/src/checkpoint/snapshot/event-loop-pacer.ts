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
/**
 * Most turns one pause waits through: a turn a little longer than an empty one (the process was
 * descheduled) earns little, and waiting for many such turns would stall a snapshot nobody waits for.
 */
const MAX_TURNS = 16;
/** A turn of the event loop this short ran nothing else: nobody waits for the snapshot's slices. */
const IDLE_TURN_MS = 0.05;
/**
 * The slice after the first turn that ran nothing else; it doubles with each such turn after it
 * (up to {@link MAX_SLICE_MS}): work that arrives meanwhile (an I/O callback) waits at most a
 * slice, and an idle snapshot pays for few turns (0.25 ms slices cost it about a tenth of its time).
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
 * snapshot runs on in slices from {@link IDLE_SLICE_MS}, longer while the turns stay empty.
 */
export class EventLoopPacer {
  #sliceStart = performance.now();
  /** Milliseconds of the thread the snapshot may still take before the next turn. */
  #balance = IDLE_SLICE_MS;
  /** The slice after the next turn that runs nothing else. */
  #idleSlice = IDLE_SLICE_MS;
  #suspendedAt = 0;

  /** Whether the current slice is used up. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#balance;
  }

  /**
   * Gives the event loop turns until the snapshot earned a slice of at least {@link MIN_SLICE_MS}
   * (or a turn ran nothing else, or {@link MAX_TURNS} went by), and starts it. Waiting through several turns costs a callback
   * each, less than resuming the encoder for a sliver of work each time.
   */
  async pause(): Promise<void> {
    const paused = performance.now();
    let balance = this.#balance - (paused - this.#sliceStart);
    let last = paused;
    for (let turns = 1; ; turns++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = performance.now();
      const others = now - last;
      last = now;
      if (others < IDLE_TURN_MS) {
        balance = this.#idleSlice;
        this.#idleSlice = Math.min(MAX_SLICE_MS, 2 * this.#idleSlice);
        break;
      }
      this.#idleSlice = IDLE_SLICE_MS;
      balance = Math.min(MAX_SLICE_MS, balance + (others * SHARE) / (1 - SHARE));
      if (balance >= MIN_SLICE_MS || turns === MAX_TURNS) break;
    }
    this.#balance = balance;
    this.#sliceStart = last;
  }

  /**
   * The snapshot waits for something other than a turn (its worker, its storage) until
   * {@link resume}: that time is not its slice's, and other work that ran meanwhile earns it
   * its share as a turn would.
   */
  suspend(): void {
    this.#suspendedAt = performance.now();
  }

  /** The wait {@link suspend} began is over. */
  resume(): void {
    const now = performance.now();
    const waited = now - this.#suspendedAt;
    this.#sliceStart += waited;
    this.#balance = Math.min(MAX_SLICE_MS, this.#balance + (waited * SHARE) / (1 - SHARE));
  }

  /** {@link pause} when the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
