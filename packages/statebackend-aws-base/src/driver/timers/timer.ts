/** Which clock a timer follows: event time (driven by watermarks) or the processing clock. */
export type TimeDomain = 'event' | 'processing';

/** A keyed timer as handed to `onTimer`: it fired for `key` at `timestamp`. */
export interface Timer<K> {
  readonly key: K;
  readonly domain: TimeDomain;
  /** Milliseconds: event time for `event` timers, the processing clock for `processing` timers. */
  readonly timestamp: number;
  /** Tells timers of one key apart, e.g. `session-timeout`; `''` by default. */
  readonly name: string;
}

/**
 * Timers of the current key, as Flink's `TimerService`. Timers are stored in the keyed state
 * backend, so they are part of every checkpoint and fire after a restore. A key has at most one
 * timer per (domain, timestamp, name): registering it again changes nothing.
 *
 * @example
 * ```ts
 * // Close the session ten minutes of event time after the user's last click.
 * await ctx.timers.deleteEventTimeTimer(session.lastSeen + GAP, 'timeout');
 * await ctx.timers.registerEventTimeTimer(click.timestamp + GAP, 'timeout');
 * ```
 */
export interface TimerService {
  /** The watermark: every event-time timer at or before it has fired. `-Infinity` before the first. */
  readonly currentWatermark: number;
  /** The processing clock now, in milliseconds. */
  currentProcessingTime(): number;
  /** Fires once the watermark reaches `timestamp`. */
  registerEventTimeTimer(timestamp: number, name?: string): Promise<void>;
  deleteEventTimeTimer(timestamp: number, name?: string): Promise<void>;
  /** Fires once the processing clock reaches `timestamp`. */
  registerProcessingTimeTimer(timestamp: number, name?: string): Promise<void>;
  deleteProcessingTimeTimer(timestamp: number, name?: string): Promise<void>;
}
