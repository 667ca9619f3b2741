import { InvalidTtlError } from '../../errors.js';

/** When a value's last-access timestamp is refreshed, after Flink's `StateTtlConfig.UpdateType`. */
export const UpdateType = Object.freeze({
  /** On creation and on every write. */
  OnCreateAndWrite: 'OnCreateAndWrite',
  /** On creation, on every write and on every read. */
  OnReadAndWrite: 'OnReadAndWrite',
} as const);
export type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];

/** Whether a read may return an expired value, after Flink's `StateTtlConfig.StateVisibility`. */
export const StateVisibility = Object.freeze({
  /** An expired value is never returned, even if it is still stored. */
  NeverReturnExpired: 'NeverReturnExpired',
  /** An expired value still stored is returned (once: the read removes it). */
  ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp',
} as const);
export type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];

/** Incremental cleanup: how many entries to check per state access, after Flink's. */
export interface IncrementalCleanupStrategy {
  /** Entries checked (and removed when expired) per state access. At least 1. */
  readonly cleanupSize: number;
  /** Also check `cleanupSize` entries for every record processed, not only on access. */
  readonly runCleanupForEveryRecord: boolean;
}

/**
 * Time-to-live of a state's values, in Flink's terms. A value expires `ttl` milliseconds after
 * its last access: its creation or last write, and with {@link UpdateType.OnReadAndWrite} also
 * its last read. A refresh sets the expiry to `now + ttl`; it never extends the old expiry.
 * List elements and map entries expire one by one.
 *
 * Expired values are removed when read (and never returned with
 * {@link StateVisibility.NeverReturnExpired}), when a full snapshot is taken (with
 * `cleanupFullSnapshot()`), and a few per access (with `cleanupIncrementally()`).
 *
 * @example
 * ```ts
 * const ttl = StateTtlConfig.newBuilder(60 * 60_000)          // one hour
 *   .setUpdateType(UpdateType.OnReadAndWrite)
 *   .setStateVisibility(StateVisibility.NeverReturnExpired)
 *   .cleanupIncrementally(10, false)
 *   .build();
 * descriptor.enableTimeToLive(ttl);
 * ```
 */
export class StateTtlConfig {
  /** Milliseconds from last access to expiry; always > 0. */
  readonly ttl: number;
  readonly updateType: UpdateType;
  readonly stateVisibility: StateVisibility;
  /** Drop expired values from full snapshots. */
  readonly cleanupFullSnapshot: boolean;
  /** Check a few entries per access and remove the expired ones; undefined when off. */
  readonly incrementalCleanup: IncrementalCleanupStrategy | undefined;

  /** @internal Use {@link StateTtlConfig.newBuilder}. */
  constructor(settings: StateTtlSettings) {
    this.ttl = settings.ttl;
    this.updateType = settings.updateType;
    this.stateVisibility = settings.stateVisibility;
    this.cleanupFullSnapshot = settings.cleanupFullSnapshot;
    this.incrementalCleanup = settings.incrementalCleanup;
    Object.freeze(this);
  }

  /** A builder for a TTL of `ttlMillis` (> 0); throws an {@link InvalidTtlError} otherwise. */
  static newBuilder(ttlMillis: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMillis);
  }

  /** True when reads refresh the last-access timestamp. */
  get refreshOnRead(): boolean {
    return this.updateType === UpdateType.OnReadAndWrite;
  }

  /** True when expired values that are still stored may be returned. */
  get returnExpired(): boolean {
    return this.stateVisibility === StateVisibility.ReturnExpiredIfNotCleanedUp;
  }

  /** Same settings; used to tell whether a state is registered again with the same TTL. */
  equals(other: StateTtlConfig | undefined): boolean {
    return (
      other !== undefined &&
      this.ttl === other.ttl &&
      this.updateType === other.updateType &&
      this.stateVisibility === other.stateVisibility &&
      this.cleanupFullSnapshot === other.cleanupFullSnapshot &&
      this.incrementalCleanup?.cleanupSize === other.incrementalCleanup?.cleanupSize &&
      this.incrementalCleanup?.runCleanupForEveryRecord === other.incrementalCleanup?.runCleanupForEveryRecord
    );
  }

  toString(): string {
    const cleanup = [
      this.cleanupFullSnapshot ? 'full snapshot' : undefined,
      this.incrementalCleanup === undefined
        ? undefined
        : `incremental ${this.incrementalCleanup.cleanupSize}`,
    ].filter((part) => part !== undefined);
    return (
      `StateTtlConfig(ttl ${this.ttl} ms, ${this.updateType}, ${this.stateVisibility}` +
      `${cleanup.length === 0 ? '' : `, cleanup: ${cleanup.join(', ')}`})`
    );
  }
}

/** The settings of a {@link StateTtlConfig}. */
export interface StateTtlSettings {
  readonly ttl: number;
  readonly updateType: UpdateType;
  readonly stateVisibility: StateVisibility;
  readonly cleanupFullSnapshot: boolean;
  readonly incrementalCleanup: IncrementalCleanupStrategy | undefined;
}

/** Builds a {@link StateTtlConfig}; defaults as in Flink: OnCreateAndWrite, NeverReturnExpired. */
export class StateTtlConfigBuilder {
  #settings: StateTtlSettings;

  /** @internal Use {@link StateTtlConfig.newBuilder}. */
  constructor(ttlMillis: number) {
    this.#settings = {
      ttl: checkTtl(ttlMillis),
      updateType: UpdateType.OnCreateAndWrite,
      stateVisibility: StateVisibility.NeverReturnExpired,
      cleanupFullSnapshot: false,
      incrementalCleanup: undefined,
    };
  }

  setTtl(ttlMillis: number): this {
    this.#settings = { ...this.#settings, ttl: checkTtl(ttlMillis) };
    return this;
  }

  setUpdateType(updateType: UpdateType): this {
    if (updateType !== UpdateType.OnCreateAndWrite && updateType !== UpdateType.OnReadAndWrite) {
      throw new InvalidTtlError('updateType', String(updateType), 'OnCreateAndWrite or OnReadAndWrite');
    }
    this.#settings = { ...this.#settings, updateType };
    return this;
  }

  setStateVisibility(visibility: StateVisibility): this {
    if (
      visibility !== StateVisibility.NeverReturnExpired &&
      visibility !== StateVisibility.ReturnExpiredIfNotCleanedUp
    ) {
      throw new InvalidTtlError(
        'stateVisibility',
        String(visibility),
        'NeverReturnExpired or ReturnExpiredIfNotCleanedUp',
      );
    }
    this.#settings = { ...this.#settings, stateVisibility: visibility };
    return this;
  }

  /** Leave expired values out of full snapshots. */
  cleanupFullSnapshot(): this {
    this.#settings = { ...this.#settings, cleanupFullSnapshot: true };
    return this;
  }

  /**
   * Check `cleanupSize` entries of the state per access and remove the expired ones; with
   * `runCleanupForEveryRecord`, also for every record processed. Applies to backends that keep
   * state in memory (heap, S3); stores with their own expiry (DynamoDB) ignore it.
   */
  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord: boolean): this {
    if (!Number.isSafeInteger(cleanupSize) || cleanupSize < 1) {
      throw new InvalidTtlError('cleanupSize', String(cleanupSize), 'an integer >= 1');
    }
    this.#settings = { ...this.#settings, incrementalCleanup: { cleanupSize, runCleanupForEveryRecord } };
    return this;
  }

  build(): StateTtlConfig {
    return new StateTtlConfig(this.#settings);
  }
}

function checkTtl(ttlMillis: number): number {
  if (typeof ttlMillis !== 'number' || !Number.isFinite(ttlMillis) || ttlMillis <= 0) {
    throw new InvalidTtlError(
      'ttl',
      typeof ttlMillis === 'number' ? `${ttlMillis}` : typeof ttlMillis,
      'a finite number of milliseconds > 0 (to keep values forever, do not enable TTL)',
    );
  }
  return ttlMillis;
}
