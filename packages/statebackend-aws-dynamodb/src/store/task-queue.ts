import { FencedError } from '@statebackend/aws-base';
import { StoreFailedError } from '../errors.js';

/**
 * The store's one-at-a-time queue: flushes, checkpoints, notices and clean-up steps run in the
 * order they were queued, each after the previous one settled. Once a task fails with
 * `FencedError` or `StoreFailedError` the store is done: every later task fails with that error.
 */
export class TaskQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;

  /** The error that ended the store, if one did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Runs `task` after every task queued before it; resolves or rejects as it does. */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
      return task();
    });
    this.#tail = run.catch((error: unknown) => {
      if (error instanceof FencedError || error instanceof StoreFailedError) this.#failure = error;
    });
    return run;
  }

  /** Resolves once every task queued so far settled. */
  async settled(): Promise<void> {
    await this.#tail.catch(() => undefined);
  }
}
