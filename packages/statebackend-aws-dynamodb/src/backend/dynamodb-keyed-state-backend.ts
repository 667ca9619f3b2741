import type {
  CheckpointingKeyedStateBackend,
  EncodedSavepoint,
  JsonValue,
  KeyedStateBackendParameters,
  RestoredCheckpointInfo,
  SavepointOptions,
  StateLimits,
  TypeSerializer,
} from '@statebackend/aws-base';
import {
  AwsKeyedStateBackendBase,
  type CheckpointedState,
  checkRestoredState,
  encodeRemoteSavepoint,
  type KeyedStateSource,
  type RegisteredKeyedState,
  systemTimeProvider,
  VALUE_ROLE,
} from '@statebackend/aws-base/spi';
import { ValueMigrationNotSupportedError } from '../errors.js';
import { savepointContentOf } from '../savepoint/hold-savepoint-content.js';
import { importEntries } from '../savepoint/import-entries.js';
import { StateCatalog, statesFromJson, statesToJson } from '../savepoint/state-catalog.js';
import type { CompletedCheckpoint, DynamoDbStateStore } from '../store/dynamodb-state-store.js';
import { DynamoDbKeyedStateStore, MAX_KEY_BYTES } from './dynamodb-keyed-state-store.js';
import { encodeUserMetadata, restoredInfo } from './restored-info.js';

/**
 * Largest serialized value with the defaults (one retained checkpoint, completion at commit) for a
 * writer of every key group: half an item, as each item may keep the checkpointed version beside
 * the newest, less the keys and attribute names. A writer of some key groups (or completion by
 * notification) also keeps a version for the newest checkpoint until it is complete, and more
 * retained checkpoints divide the item further: `limits.maxValueBytes` says how much.
 */
export const MAX_VALUE_BYTES = 190 * 1024;
const VALUE_BYTES_PER_ITEM = 2 * MAX_VALUE_BYTES;

/**
 * Keyed state of one operator instance in DynamoDB: aws-base's keyed-state API on top of a
 * {@link DynamoDbStateStore} (through its {@link DynamoDbKeyedStateStore}). Values are serialized
 * when written (so a too-large value fails the write itself) and held as bytes in the store's
 * bounded cache.
 *
 * @example
 * ```ts
 * const keyed = await backend.createKeyedStateBackend({ jobId, operatorId, keyGroupRange,
 *   maxParallelism: 128, keySerializer: Serializers.string });
 * await keyed.withKey('user-1', async (ctx) => ctx.getState(clicks).update(1));
 * await keyed.snapshot(1, sourcePosition);
 * ```
 */
export class DynamoDbKeyedStateBackend<K>
  extends AwsKeyedStateBackendBase<K>
  implements CheckpointingKeyedStateBackend<K>
{
  readonly limits: StateLimits;
  /** The store underneath: checkpoints, metrics, epoch. */
  readonly store: DynamoDbStateStore;
  readonly #nativeTtl: boolean;
  readonly #catalog = new StateCatalog();
  #restored: RestoredCheckpointInfo | undefined;

  constructor(parameters: KeyedStateBackendParameters<K>, store: DynamoDbStateStore) {
    const maxValueBytes = Math.floor(VALUE_BYTES_PER_ITEM / store.versionsPerItem);
    // DynamoDB deletes by wall-clock time: expiries from another clock would mean nothing to it.
    const nativeTtl = parameters.clock === undefined || parameters.clock === systemTimeProvider;
    super(parameters, new DynamoDbKeyedStateStore(store, maxValueBytes, nativeTtl));
    this.store = store;
    this.limits = Object.freeze({ maxValueBytes, maxKeyBytes: MAX_KEY_BYTES });
    this.#nativeTtl = nativeTtl;
    this.#restored = restoredInfo(store, parameters.keyGroupRange);
    for (const commit of store.restored) this.#catalog.carry(statesFromJson(commit.states, store.location));
  }

  /** What this backend was restored from (a checkpoint, or an imported savepoint); undefined after a fresh start. */
  get restored(): RestoredCheckpointInfo | undefined {
    return this.#restored;
  }

  /**
   * Writes the entries of `source` for this backend's key groups (a canonical savepoint, or any
   * backend's checkpoint) as its first changes, which its next checkpoint commits. Called by the
   * builder, before the backend is handed out.
   *
   * @internal
   */
  async importFrom(source: KeyedStateSource): Promise<void> {
    const entries = await importEntries(
      this.store,
      source,
      this.keyGroupRange,
      this.maxParallelism,
      this.#nativeTtl,
    );
    this.#catalog.carry(source.states);
    this.#restored = {
      description: source.description,
      checkpointId: source.checkpointId,
      userMetadata: source.userMetadata,
      entries,
    };
  }

  /**
   * The id `snapshot()` takes when given none: one above the checkpoint restored, the last one
   * taken and {@link latestCheckpointId}.
   */
  get nextCheckpointId(): number {
    return this.store.nextCheckpointId;
  }

  /**
   * The newest checkpoint id committed for any key group of this backend's range (by it, or by
   * earlier owners before it claimed the range; after a rollback, newer than the one restored);
   * `snapshot()` rejects ids at or below it with `CheckpointIdTooLowError`, before writing
   * anything. -1 when there is none.
   */
  get latestCheckpointId(): number {
    return this.store.latestCheckpointId;
  }

  /**
   * Takes checkpoint `checkpointId` (default {@link nextCheckpointId}) of this operator instance with the caller's `metadata`
   * (e.g. the source position); resolves once it is complete. JSON comes back in
   * `restored.userMetadata`; bytes are kept as they are (`store.restored[i].metadata`). See
   * {@link DynamoDbStateStore.snapshot}.
   */
  snapshot(
    checkpointId: number = this.nextCheckpointId,
    metadata?: JsonValue | Uint8Array,
  ): Promise<CompletedCheckpoint> {
    return this.store.snapshot(checkpointId, encodeUserMetadata(metadata), statesToJson(this.#states()));
  }

  /** Checkpoint `checkpointId` completed everywhere (with `checkpointCompletion: 'notify'`). */
  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.store.notifyCheckpointComplete(checkpointId);
  }

  /** Checkpoint `checkpointId` was aborted: it is never restored. */
  notifyCheckpointAborted(checkpointId: number): Promise<void> {
    return this.store.notifyCheckpointAborted(checkpointId);
  }

  /**
   * The state now as a canonical savepoint, which any backend imports. What changed is written
   * to DynamoDB at this call (uncommitted; no checkpoint covers it), then the savepoint is read
   * from the table, key group by key group, as `content` is consumed. Until it is read to the end
   * or abandoned (`return()` on its iterator), checkpoints and early flushes wait; records keep
   * being processed from the cache.
   */
  exportSavepoint(options?: SavepointOptions): EncodedSavepoint {
    const hold = this.store.hold();
    const content = savepointContentOf(hold, {
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      states: this.#states(),
      timestamp: this.clock.currentTimestamp(),
      location: this.store.location,
    });
    return encodeRemoteSavepoint(content, options);
  }

  #states(): CheckpointedState[] {
    return this.#catalog.describe(this.registeredStates(), this.keySerializer as TypeSerializer<unknown>);
  }

  /** A restored state must read what was stored: same kind and TTL, serializers compatible as-is. */
  protected override onStateRegistered(state: RegisteredKeyedState): void {
    const stored = this.#catalog.restored(state.name);
    if (stored === undefined) return;
    const source = this.#restored?.description ?? this.store.location;
    const values = checkRestoredState(stored, state, this.keySerializer as TypeSerializer<unknown>, source);
    if (values.kind !== 'compatible-as-is') {
      const role = VALUE_ROLE[state.kind];
      throw new ValueMigrationNotSupportedError(
        state.name,
        stored.serializers[role]?.id ?? 'unknown',
        state.serializer.snapshot().id,
      );
    }
  }
}
