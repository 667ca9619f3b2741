import type { KeyedContext } from '../../backend/key-context.js';
import type { KeyedStateBackend } from '../../backend/keyed-state-backend.js';
import { ProcessorDriverError } from '../../errors.js';
import type { KeyTimers } from '../process-context.js';
import type { WorkInFlight } from '../work-in-flight.js';
import type { TimeDomain, Timer } from './timer.js';
import { type QueuedTimer, TimerQueue } from './timer-queue.js';
import { loadTimers, queuedTimer, timerKeyId, timerMapKey, timerStateDescriptor } from './timer-state.js';

/** What the timers read of the driver: its clocks, and whom to tell about an earlier processing timer. */
export interface TimerClocks {
  watermark(): number;
  now(): number;
  /** A processing-time timer was registered; the driver may have to wake up earlier. */
  processingTimerAdded(timestamp: number): void;
}

/**
 * The driver's keyed timers: stored in keyed state (checkpointed with it) and indexed in memory
 * per domain, so that the driver finds the due ones without reading state.
 */
export class DriverTimers<K> {
  readonly #backend: KeyedStateBackend<K>;
  readonly #clocks: TimerClocks;
  readonly #queues: Record<TimeDomain, TimerQueue<K>> = {
    event: new TimerQueue<K>(),
    processing: new TimerQueue<K>(),
  };

  constructor(backend: KeyedStateBackend<K>, clocks: TimerClocks) {
    this.#backend = backend;
    this.#clocks = clocks;
  }

  /** Reads the timers of a restored backend into the index; returns how many there are. */
  load(): Promise<number> {
    return loadTimers(this.#backend, this.#queues);
  }

  /** The earliest timer of `domain`, if any. */
  earliest(domain: TimeDomain): number | undefined {
    return this.#queues[domain].peek()?.timestamp;
  }

  /** Removes and returns the earliest timer of `domain` due at `time`. */
  pollDue(domain: TimeDomain, time: number): QueuedTimer<K> | undefined {
    return this.#queues[domain].pollDue(time);
  }

  /** Timer operations bound to the key of `ctx` (which must be the running key). */
  forKey(ctx: KeyedContext<K>): KeyTimers {
    let keyId: string | undefined;
    const idOf = (): string => {
      keyId ??= timerKeyId(this.#backend, ctx.key);
      return keyId;
    };
    const clocks = this.#clocks;
    const queues = this.#queues;
    return {
      get currentWatermark() {
        return clocks.watermark();
      },
      currentProcessingTime: () => clocks.now(),
      register: async (domain, timestamp, name) => {
        checkTimestamp(timestamp);
        const timer = queuedTimer(ctx.key, idOf(), domain, timestamp, name);
        if (queues[domain].add(timer) && domain === 'processing') clocks.processingTimerAdded(timestamp);
        await ctx.getState(timerStateDescriptor).put(timerMapKey(domain, timestamp, name), timestamp);
      },
      remove: async (domain, timestamp, name) => {
        checkTimestamp(timestamp);
        queues[domain].remove(queuedTimer(ctx.key, idOf(), domain, timestamp, name).id);
        await ctx.getState(timerStateDescriptor).remove(timerMapKey(domain, timestamp, name));
      },
    };
  }

  /**
   * Fires every timer of `domain` due at `time`, earliest first, each taking a slot of `work`
   * (so timers count toward the work in flight). Failures go to `onError` with what failed.
   * Returns the number of timers started.
   */
  async fireDue(
    domain: TimeDomain,
    time: number,
    work: Pick<WorkInFlight, 'acquire' | 'track'>,
    handlers: {
      onTimer(timer: Timer<K>, ctx: KeyedContext<K>): void | Promise<void>;
      onError(what: string, error: unknown): void;
    },
  ): Promise<number> {
    let fired = 0;
    for (let timer = this.pollDue(domain, time); timer !== undefined; timer = this.pollDue(domain, time)) {
      fired++;
      await work.acquire();
      const what = `${domain}-time timer ${timer.name === '' ? '' : `'${timer.name}' `}at ${timer.timestamp}`;
      work.track(this.fire(timer, handlers.onTimer).catch((error: unknown) => handlers.onError(what, error)));
    }
    return fired;
  }

  /**
   * Fires `timer` under its key (in order with the key's records): removes it from state, then
   * calls `onTimer`. A timer deleted after it was polled does not fire.
   */
  fire(
    timer: QueuedTimer<K>,
    onTimer: (timer: Timer<K>, ctx: KeyedContext<K>) => void | Promise<void>,
  ): Promise<void> {
    return this.#backend.withKey(timer.key, async (ctx) => {
      const stored = ctx.getState(timerStateDescriptor);
      const mapKey = timerMapKey(timer.domain, timer.timestamp, timer.name);
      if (!(await stored.contains(mapKey))) return;
      await stored.remove(mapKey);
      await onTimer(
        { key: timer.key, domain: timer.domain, timestamp: timer.timestamp, name: timer.name },
        ctx,
      );
    });
  }
}

function checkTimestamp(timestamp: number): void {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    throw new ProcessorDriverError(
      `Invalid timer timestamp: received ${String(timestamp)}; expected a finite number of milliseconds.`,
    );
  }
}
