import type { JsonValue } from '../checkpoint/json.js';

/** The watermark emitted at the end of bounded input: every event-time timer fires. */
export const END_OF_INPUT_WATERMARK = Number.MAX_SAFE_INTEGER;

/** What {@link ProcessorDriver.start} restored; `P` is the type of the source position. */
export interface DriverStart<P extends JsonValue = JsonValue> {
  /** The checkpoint restored; undefined for a fresh start (or a restore from a savepoint). */
  readonly checkpointId: number | undefined;
  /** The id the driver's next checkpoint takes: one above the restored one (1 after a fresh start). */
  readonly nextCheckpointId: number;
  /**
   * Where to resume the source: the position stored with the checkpoint (the smallest of its
   * writers' when the restore merged several); undefined to start at the beginning.
   */
  readonly position: P | undefined;
  /** Records consumed before the checkpoint, from the start of the stream. */
  readonly offset: number;
  /** Timers restored. */
  readonly timers: number;
}

/** How {@link ProcessorDriver.run} ended. */
export interface DriverResult<P extends JsonValue = JsonValue> {
  /** `end`: the input ended; `aborted`: the signal stopped it (in-flight work drained, then checkpointed). */
  readonly reason: 'end' | 'aborted';
  /** Records consumed from the start of the stream. */
  readonly offset: number;
  readonly position: P | undefined;
  /** The last checkpoint completed; undefined when none was taken or restored. */
  readonly lastCheckpointId: number | undefined;
  /** Checkpoints completed during this run. */
  readonly checkpoints: number;
}
