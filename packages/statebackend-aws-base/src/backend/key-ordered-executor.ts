/**
 * Runs tasks so that tasks of the same key run one after another, in call order, while tasks of
 * different keys interleave freely, as Flink's asynchronous state processing keeps records of a
 * key in order. Without it, two records of one key could both read a counter before either
 * writes it back, and one increment would be lost.
 *
 * Fast path: while a key group has no task running, a task of it starts without touching any
 * hash map (one typed-array slot per key group says how many run, one array slot which key runs
 * alone). Only key groups with several tasks in flight keep running keys in a set and waiting
 * tasks in per-key queues.
 */
export class KeyOrderedExecutor {
  /** Tasks running per key group (index = key group - first key group). */
  readonly #active: Uint32Array;
  /** Tasks waiting per key group. */
  readonly #waitingCount: Uint32Array;
  /** The key of the task that started while its key group was idle, until it ends. */
  readonly #sole: Array<string | undefined>;
  /** Keys of the other running tasks. */
  readonly #running = new Set<string>();
  /** Tasks waiting for a running task of their key, oldest first. */
  readonly #waiting = new Map<string, Array<() => void>>();
  readonly #firstKeyGroup: number;

  constructor(firstKeyGroup: number, keyGroups: number) {
    this.#firstKeyGroup = firstKeyGroup;
    this.#active = new Uint32Array(keyGroups);
    this.#waitingCount = new Uint32Array(keyGroups);
    this.#sole = new Array<string | undefined>(keyGroups).fill(undefined);
  }

  /** Number of tasks running. */
  get running(): number {
    let running = 0;
    for (const count of this.#active) running += count;
    return running;
  }

  /** Runs `task(argument)` once no earlier task of `keyId` is running; settles as the task does. */
  run<A, R>(keyId: string, keyGroup: number, task: (argument: A) => R | Promise<R>, argument: A): Promise<R> {
    const index = keyGroup - this.#firstKeyGroup;
    if (this.#active[index] === 0) {
      this.#active[index] = 1;
      this.#sole[index] = keyId;
      return this.#start(keyId, index, task, argument);
    }
    if (this.#sole[index] !== keyId && !this.#running.has(keyId)) {
      (this.#active[index] as number)++;
      this.#running.add(keyId);
      return this.#start(keyId, index, task, argument);
    }
    return new Promise<R>((resolve, reject) => {
      let queue = this.#waiting.get(keyId);
      if (queue === undefined) {
        queue = [];
        this.#waiting.set(keyId, queue);
      }
      (this.#waitingCount[index] as number)++;
      queue.push(() => {
        this.#start(keyId, index, task, argument).then(resolve, reject);
      });
    });
  }

  /**
   * Runs the task now and releases its key once it settles. A native promise the task returns is
   * handed back as it is, with the release attached first: its reaction runs before any the
   * caller adds, so the key is free when the caller resumes, without a second promise per task.
   */
  #start<A, R>(keyId: string, index: number, task: (argument: A) => R | Promise<R>, argument: A): Promise<R> {
    let result: R | Promise<R>;
    try {
      result = task(argument);
    } catch (error) {
      this.#release(keyId, index);
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      this.#release(keyId, index);
      return Promise.resolve(result);
    }
    // Subclasses and other thenables are adopted by a native promise first.
    const promise =
      Object.getPrototypeOf(result) === Promise.prototype
        ? (result as Promise<R>)
        : Promise.resolve(result as PromiseLike<R>);
    const release = (): void => this.#release(keyId, index);
    promise.then(release, release);
    return promise;
  }

  #release(keyId: string, index: number): void {
    // While a task of a key runs no other task of it starts, so the sole slot holds its key
    // exactly when it started in it.
    if (this.#sole[index] === keyId) this.#sole[index] = undefined;
    else this.#running.delete(keyId);
    if (this.#waitingCount[index] !== 0) {
      const queue = this.#waiting.get(keyId);
      const next = queue?.shift();
      if (next !== undefined) {
        if (queue?.length === 0) this.#waiting.delete(keyId);
        (this.#waitingCount[index] as number)--;
        // The next task of the key takes the slot over (the key group stays as busy).
        this.#running.add(keyId);
        // Deferred: a long queue of synchronous tasks must not recurse into a deep stack.
        queueMicrotask(next);
        return;
      }
    }
    (this.#active[index] as number)--;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as Partial<PromiseLike<unknown>>).then === 'function'
  );
}
