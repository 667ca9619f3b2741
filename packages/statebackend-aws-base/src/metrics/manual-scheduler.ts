import { MetricSettingError } from '../errors.js';
import type { ScheduledTask, Scheduler } from './scheduler.js';

interface Repeating {
  readonly task: () => void | Promise<void>;
  readonly intervalMs: number;
  nextAt: number;
  cancelled: boolean;
}

/**
 * A {@link Scheduler} whose time moves only when a test says so, for tests of reporters and
 * anything else on the metric system's timers.
 *
 * - `advance(ms)` moves the clock, runs every repeating task that falls due, in time order, and
 *   waits for the promises they return.
 * - `sleep(ms)` does not wait: it records `ms` in {@link ManualScheduler.sleeps}, moves the clock
 *   by `ms` and resolves, so that retry back-offs run at once and can be asserted.
 */
export class ManualScheduler implements Scheduler {
  /** Every `sleep` requested, in order. */
  readonly sleeps: number[] = [];
  #now: number;
  readonly #tasks = new Set<Repeating>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  repeat(task: () => void | Promise<void>, intervalMs: number): ScheduledTask {
    if (!(intervalMs > 0)) {
      throw new MetricSettingError(
        'ManualScheduler.repeat intervalMs',
        String(intervalMs),
        'give a number of milliseconds above 0',
      );
    }
    const entry: Repeating = { task, intervalMs, nextAt: this.#now + intervalMs, cancelled: false };
    this.#tasks.add(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
        this.#tasks.delete(entry);
      },
    };
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += Math.max(0, ms);
  }

  /** Number of repeating tasks not cancelled. */
  get pendingTasks(): number {
    return this.#tasks.size;
  }

  /** Moves the clock by `ms`, running the repeating tasks that fall due and awaiting them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      let due: Repeating | undefined;
      for (const entry of this.#tasks) {
        if (entry.nextAt <= target && (due === undefined || entry.nextAt < due.nextAt)) due = entry;
      }
      if (due === undefined) break;
      this.#now = Math.max(this.#now, due.nextAt);
      due.nextAt += due.intervalMs;
      await due.task();
    }
    this.#now = Math.max(this.#now, target);
  }
}
