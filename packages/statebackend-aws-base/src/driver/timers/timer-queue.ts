import type { TimeDomain } from './timer.js';

/** A timer in the in-memory index: the key as given and as an id (its serialized bytes). */
export interface QueuedTimer<K> {
  readonly id: string;
  readonly keyId: string;
  readonly key: K;
  readonly domain: TimeDomain;
  readonly timestamp: number;
  readonly name: string;
}

/**
 * The in-memory index of every registered timer of one domain, earliest first. The timers
 * themselves live in keyed state (see `timer-state.ts`); this index only answers "which timer is
 * due next" without scanning the state, and is rebuilt from the state on restore.
 *
 * A binary heap with lazy deletion: a removed timer stays in the heap until it reaches the top.
 */
export class TimerQueue<K> {
  readonly #live = new Map<string, QueuedTimer<K>>();
  readonly #heap: QueuedTimer<K>[] = [];

  /** Number of registered timers. */
  get size(): number {
    return this.#live.size;
  }

  /** Adds `timer`; false when a timer with its id is already registered. */
  add(timer: QueuedTimer<K>): boolean {
    if (this.#live.has(timer.id)) return false;
    this.#live.set(timer.id, timer);
    this.#heap.push(timer);
    this.#up(this.#heap.length - 1);
    return true;
  }

  /** Removes the timer with `id`, if registered. */
  remove(id: string): void {
    this.#live.delete(id);
  }

  /** The earliest registered timer, without removing it. */
  peek(): QueuedTimer<K> | undefined {
    this.#dropRemoved();
    return this.#heap[0];
  }

  /** Removes and returns the earliest timer when it is due at `time` (timestamp <= time). */
  pollDue(time: number): QueuedTimer<K> | undefined {
    const first = this.peek();
    if (first === undefined || first.timestamp > time) return undefined;
    this.#pop();
    this.#live.delete(first.id);
    return first;
  }

  #dropRemoved(): void {
    let top = this.#heap[0];
    while (top !== undefined && this.#live.get(top.id) !== top) {
      this.#pop();
      top = this.#heap[0];
    }
  }

  #pop(): void {
    const last = this.#heap.pop();
    if (last === undefined || this.#heap.length === 0) return;
    this.#heap[0] = last;
    this.#down(0);
  }

  #up(index: number): void {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as QueuedTimer<K>, heap[parent] as QueuedTimer<K>)) break;
      [heap[i], heap[parent]] = [heap[parent] as QueuedTimer<K>, heap[i] as QueuedTimer<K>];
      i = parent;
    }
  }

  #down(index: number): void {
    const heap = this.#heap;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as QueuedTimer<K>, heap[smallest] as QueuedTimer<K>))
        smallest = left;
      if (right < heap.length && before(heap[right] as QueuedTimer<K>, heap[smallest] as QueuedTimer<K>))
        smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as QueuedTimer<K>, heap[i] as QueuedTimer<K>];
      i = smallest;
    }
  }
}

/** Earlier timestamp first; ties in id order, so that firing order never depends on insertion order. */
function before<K>(a: QueuedTimer<K>, b: QueuedTimer<K>): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.id < b.id);
}
