/** A repeating task that can be cancelled. */
export interface ScheduledTask {
  cancel(): void;
}

/**
 * Time for the metric system: the clock meters and timestamps read, the repeating timer that
 * drives reporters, and the pause between retries. Inject {@link ManualScheduler} in tests.
 */
export interface Scheduler {
  /** Wall-clock time in milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `task` every `intervalMs` until cancelled. The timer must not keep the process alive:
   * metrics never hold up a shutdown.
   */
  repeat(task: () => void | Promise<void>, intervalMs: number): ScheduledTask;
  /** Resolves after `ms`; keeps the process alive meanwhile so that a final flush completes. */
  sleep(ms: number): Promise<void>;
}

/** The real clock and timers. Repeating timers are `unref`'d. */
export const systemScheduler: Scheduler = Object.freeze({
  now: () => Date.now(),
  repeat(task: () => void | Promise<void>, intervalMs: number): ScheduledTask {
    const timer = setInterval(() => {
      void task();
    }, intervalMs);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
});
