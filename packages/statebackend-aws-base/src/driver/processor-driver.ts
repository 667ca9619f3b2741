import type { CheckpointingKeyedStateBackend } from '../backend/checkpointing-keyed-state-backend.js';
import type { KeyedContext } from '../backend/key-context.js';
import type { JsonValue } from '../checkpoint/json.js';
import { ProcessorDriverError, RecordProcessingError } from '../errors.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import { CheckpointTrigger } from './checkpoint-trigger.js';
import { INITIAL_DRIVER_METADATA } from './driver-metadata.js';
import { DriverMetrics } from './driver-metrics.js';
import { type AppliedBefore, DriverProgress } from './driver-progress.js';
import { type DriverResult, type DriverStart, END_OF_INPUT_WATERMARK } from './driver-run.js';
import { PositionOrder } from './position-order.js';
import { DriverContext } from './process-context.js';
import {
  type DriverCheckpoint,
  type ProcessorDriverOptions,
  validateDriverOptions,
} from './processor-driver-options.js';
import { resumePoint } from './resume-point.js';
import { SnapshotPipeline } from './snapshot-pipeline.js';
import { DriverTimers } from './timers/driver-timers.js';
import type { Timer } from './timers/timer.js';
import { nextEvent } from './wait-for-event.js';
import { WorkInFlight } from './work-in-flight.js';

/**
 * Runs a keyed stream processor over an async iterable with exactly-once keyed state: it keys
 * each record, calls `process` with the key's state and timers (records of different keys
 * concurrently, up to `maxInFlight`; records of one key in order), checkpoints every N records or
 * T milliseconds together with the source position, and on start restores the latest complete
 * checkpoint and returns the position to resume the source from. Timers live in the keyed state,
 * so they fire after a restore. On abort it drains the work in flight and takes a last checkpoint.
 *
 * @example
 * ```ts
 * const driver = new ProcessorDriver<Click, string, number>({
 *   createBackend: ({ clock }) => new CheckpointingHeapBackendBuilder({ ...parameters, clock }, options).build(),
 *   keyOf: (click) => click.userId,
 *   process: async (click, ctx) => ctx.getState(clicks).update(((await ctx.getState(clicks).value()) ?? 0) + 1),
 * });
 * const { position } = await driver.start(); // restores the latest complete checkpoint
 * await driver.run(readClicksFrom(position ?? 0), { signal });
 * ```
 */
export class ProcessorDriver<R, K, P extends JsonValue = JsonValue> {
  readonly #options: ProcessorDriverOptions<R, K, P>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #work: WorkInFlight;
  readonly #metrics: DriverMetrics;
  #backend: CheckpointingKeyedStateBackend<K> | undefined;
  #timers: DriverTimers<K> | undefined;
  #phase: 'new' | 'starting' | 'started' | 'running' | 'done' = 'new';
  #progress = new DriverProgress({ progress: INITIAL_DRIVER_METADATA, ahead: undefined });
  #snapshots: SnapshotPipeline | undefined;
  readonly #trigger: CheckpointTrigger;

  constructor(options: ProcessorDriverOptions<R, K, P>) {
    validateDriverOptions(options as unknown as ProcessorDriverOptions<unknown, unknown, never>);
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#now = options.now ?? Date.now;
    this.#work = new WorkInFlight(options.maxInFlight ?? 32);
    this.#trigger = new CheckpointTrigger(options.checkpoint, this.#now);
    this.#metrics = new DriverMetrics(options.metricGroup, {
      inFlight: () => this.#work.running,
      watermark: () => this.#progress.watermark,
      offset: () => this.#progress.offset,
    });
  }

  /** The id the next checkpoint takes; available once {@link start} resolved. */
  get nextCheckpointId(): number {
    return this.#requireSnapshots().nextCheckpointId;
  }

  /** The keyed backend; available once {@link start} resolved. */
  get backend(): CheckpointingKeyedStateBackend<K> {
    if (this.#backend === undefined)
      throw new ProcessorDriverError('The driver has no backend yet: await start() first.');
    return this.#backend;
  }

  /** The watermark emitted last; `-Infinity` before the first. */
  get currentWatermark(): number {
    return this.#progress.watermark;
  }

  /**
   * Creates the backend (restoring the latest complete checkpoint) and the timers; returns where to
   * resume. When the restore merged writers checkpointed at different positions (a rescale), that
   * is the smallest of them, and records the writer of a key group had already applied are skipped
   * for that key group (see `comparePositions`).
   */
  async start(): Promise<DriverStart<P>> {
    if (this.#phase !== 'new') throw new ProcessorDriverError('start() was already called on this driver.');
    this.#phase = 'starting';
    const clock = {
      currentTimestamp: (): number =>
        this.#options.ttlTime === 'event' ? Math.max(0, this.#progress.dataWatermark) : this.#now(),
    };
    const backend = await this.#options.createBackend({ clock });
    this.#backend = backend;
    const restored = backend.restored;
    const compare = this.#options.comparePositions;
    const order = new PositionOrder(
      compare === undefined ? undefined : (a, b) => compare.call(this.#options, a as P, b as P),
    );
    const resume = resumePoint(restored, backend.keyGroupRange, order);
    this.#progress = new DriverProgress(resume);
    this.#snapshots = new SnapshotPipeline(
      backend as CheckpointingKeyedStateBackend<unknown>,
      restored?.checkpointId,
      this.#options.onCheckpoint as ((checkpoint: DriverCheckpoint) => void) | undefined,
      (error) => this.#work.fail(error),
    );
    this.#timers = new DriverTimers(backend, {
      watermark: () => this.#progress.watermark,
      now: this.#now,
      processingTimerAdded: () => this.#work.wakeable.wake?.(),
    });
    const timers = await this.#timers.load();
    this.#phase = 'started';
    const { position, offset } = resume.progress;
    this.#logger.info('Processor driver started', {
      from: restored?.description ?? 'nothing',
      offset,
      timers,
      ...(resume.ahead === undefined ? {} : { keyGroupsAhead: resume.ahead.keyGroups }),
    });
    return {
      checkpointId: restored?.checkpointId,
      nextCheckpointId: this.#snapshots.nextCheckpointId,
      position: position as P | undefined,
      offset,
      timers,
    };
  }

  /**
   * Processes `source` until it ends or `signal` aborts; resolves after the last checkpoint. On a
   * failure of the user's function it stops without a checkpoint and rejects with a
   * {@link RecordProcessingError}.
   */
  async run(
    source: AsyncIterable<R>,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<DriverResult<P>> {
    if (this.#phase === 'new' || this.#phase === 'starting') notStarted();
    if (this.#phase !== 'started') throw new ProcessorDriverError('run() can be called once.');
    this.#phase = 'running';
    const iterator = source[Symbol.asyncIterator]();
    const signal = options.signal;
    this.#trigger.restartInterval();
    let reason: DriverResult['reason'] = 'aborted';
    let pending: Promise<IteratorResult<R>> | undefined;
    try {
      for (;;) {
        this.#work.throwIfFailed();
        pending ??= iterator.next();
        const event = await nextEvent(pending, signal, this.#wakeAt(), this.#work.wakeable, this.#now);
        if (event.kind === 'abort') break;
        if (event.kind === 'wake') {
          await this.#onClock();
          continue;
        }
        pending = undefined;
        if (event.result.done === true) {
          reason = 'end';
          break;
        }
        await this.#dispatch(event.result.value);
      }
      await this.#finish(reason);
    } catch (error) {
      await this.#work.drain();
      await this.#snapshots?.settled();
      throw error;
    } finally {
      this.#phase = 'done';
      if (reason === 'aborted') iterator.return?.().catch(() => undefined);
    }
    return {
      reason,
      offset: this.#progress.offset,
      position: this.#progress.position as P | undefined,
      lastCheckpointId: this.#requireSnapshots().lastCheckpointId,
      checkpoints: this.#requireSnapshots().completed,
    };
  }

  async #dispatch(record: R): Promise<void> {
    const { keyOf, process, positionOf, eventTime } = this.#options;
    const offset = this.#progress.offset;
    let key: K;
    let timestamp: number | undefined;
    let position: JsonValue;
    let appliedBefore: AppliedBefore | undefined;
    try {
      key = keyOf(record);
      timestamp = eventTime?.timestampOf(record);
      position = positionOf === undefined ? offset + 1 : positionOf(record, offset);
      appliedBefore = this.#progress.appliedBefore(position);
    } catch (error) {
      throw new RecordProcessingError(`record ${offset}`, offset, error);
    }
    const watermark = this.#progress.observe(timestamp, eventTime);
    if (watermark !== undefined) await this.#emitWatermark(watermark, watermark);
    await this.#work.acquire();
    this.#progress.consumed(position);
    const timers = this.#requireTimers();
    const task = this.backend.withKey(key, (ctx) =>
      appliedBefore?.(ctx.keyGroup) === true
        ? undefined
        : process(record, new DriverContext(ctx, timestamp, timers.forKey(ctx))),
    );
    this.#work.track(
      task.catch((error: unknown) =>
        this.#work.fail(new RecordProcessingError(`record ${offset}`, offset, error)),
      ),
    );
    this.#metrics.records.inc();
    if (this.#trigger.recordConsumed()) await this.#checkpoint();
  }

  /** Waits for the work in flight, then advances the watermark and fires the event-time timers due. */
  async #emitWatermark(watermark: number, dataWatermark: number): Promise<void> {
    if (watermark <= this.#progress.watermark) return;
    await this.#work.settle();
    this.#progress.advanceWatermark(watermark, dataWatermark);
    // Timers may register timers that are due too: fire until none is.
    while (this.#requireTimers().earliest('event') !== undefined) {
      if (!(await this.#fireDue('event', watermark))) break;
      await this.#work.settle();
    }
  }

  /** Fires the timers of `domain` due at `time`; false when none was. */
  async #fireDue(domain: 'event' | 'processing', time: number): Promise<boolean> {
    const fired = await this.#requireTimers().fireDue(domain, time, this.#work, {
      onTimer: (timer, ctx) => this.#callOnTimer(timer, ctx),
      onError: (what, error) => this.#work.fail(new RecordProcessingError(what, undefined, error)),
    });
    if (fired > 0) this.#trigger.timersFired();
    this.#metrics.timersFired.inc(fired);
    return fired > 0;
  }

  #callOnTimer(timer: Timer<K>, ctx: KeyedContext<K>): void | Promise<void> {
    const onTimer = this.#options.onTimer;
    if (onTimer === undefined) return;
    const timestamp = timer.domain === 'event' ? timer.timestamp : undefined;
    return onTimer(timer, new DriverContext(ctx, timestamp, this.#requireTimers().forKey(ctx)));
  }

  /** The processing clock reached a deadline: checkpoint by time, fire processing-time timers. */
  async #onClock(): Promise<void> {
    if (this.#trigger.dueByTime()) await this.#checkpoint();
    await this.#fireDue('processing', this.#now());
  }

  /** When the loop must wake without a record: the checkpoint interval, or the next processing timer. */
  #wakeAt(): number | undefined {
    const timer = this.#requireTimers().earliest('processing');
    const checkpointAt = this.#trigger.dueAt();
    if (timer === undefined) return checkpointAt;
    return checkpointAt === undefined ? timer : Math.min(timer, checkpointAt);
  }

  async #finish(reason: DriverResult['reason']): Promise<void> {
    await this.#work.settle();
    if (
      reason === 'end' &&
      this.#options.eventTime !== undefined &&
      this.#options.fireTimersAtEnd !== false
    ) {
      await this.#emitWatermark(END_OF_INPUT_WATERMARK, this.#progress.dataWatermark);
    }
    if (this.#trigger.changed || this.#requireSnapshots().lastCheckpointId === undefined) {
      await this.#checkpoint();
    }
    await this.#requireSnapshots().settled();
    this.#work.throwIfFailed();
  }

  /**
   * Takes a checkpoint at a consistent point: every record consumed so far is processed, none
   * after it. The state is frozen before this returns; its upload overlaps with the next records,
   * one checkpoint at a time. Key groups still ahead of the position keep theirs in it.
   */
  async #checkpoint(): Promise<void> {
    await this.#work.settle();
    const snapshots = this.#requireSnapshots();
    await snapshots.settled();
    this.#work.throwIfFailed();
    snapshots.start(this.#progress.checkpointMetadata);
    this.#trigger.taken();
  }

  #requireSnapshots(): SnapshotPipeline {
    return this.#snapshots ?? notStarted();
  }

  #requireTimers(): DriverTimers<K> {
    return this.#timers ?? notStarted();
  }
}

function notStarted(): never {
  throw new ProcessorDriverError('The driver has not started: await start() first.');
}
