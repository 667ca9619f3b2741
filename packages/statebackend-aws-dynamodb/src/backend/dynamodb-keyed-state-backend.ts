import {
  type CheckpointingKeyedStateBackend,
  type EncodedSavepoint,
  type JsonValue,
  type KeyedStateBackendParameters,
  type RestoredCheckpointInfo,
  type SavepointOptions,
  type StateLimits,
  StateValueTooLargeError,
  type TypeSerializer,
} from '@statebackend/aws-base';
import {
  AwsKeyedStateBackendBase,
  type CheckpointedState,
  checkRestoredState,
  encodeRemoteSavepoint,
  type KeyedStateSource,
  type RegisteredKeyedState,
  type SerializedRef,
  type StateCell,
  type StoredMapEntry,
  systemTimeProvider,
  VALUE_ROLE,
} from '@statebackend/aws-base/spi';
import { KeyTooLargeError, ValueMigrationNotSupportedError } from '../errors.js';
import type { CellRef, EntryRef } from '../layout/item-key.js';
import { savepointContentOf } from '../savepoint/hold-savepoint-content.js';
import { importEntries } from '../savepoint/import-entries.js';
import { StateCatalog, statesFromJson, statesToJson } from '../savepoint/state-catalog.js';
import type { CompletedCheckpoint, DynamoDbStateStore } from '../store/dynamodb-state-store.js';
import { encodeUserMetadata, restoredInfo } from './restored-info.js';
import {
  decodeList,
  decodeStored,
  encodeList,
  encodeStored,
  expiryOf,
  listExpiry,
} from './stored-value-codec.js';

/**
 * Largest serialized value with the defaults (one retained checkpoint, completion at commit) for a
 * writer of every key group: half an item, as each item may keep the checkpointed version beside
 * the newest, less the keys and attribute names. A writer of some key groups (or completion by
 * notification) also keeps a version for the newest checkpoint until it is complete, and more
 * retained checkpoints divide the item further: `limits.maxValueBytes` says how much.
 */
export const MAX_VALUE_BYTES = 190 * 1024;
const VALUE_BYTES_PER_ITEM = 2 * MAX_VALUE_BYTES;
/** Largest key + namespace + map key: DynamoDB sort keys hold 1,024 bytes, with the state name. */
export const MAX_KEY_BYTES = 896;
const MAX_SORT_KEY_BYTES = 1024;
const SORT_KEY_OVERHEAD = 2 + 4 + 4 + 1 + 4 + 4;

interface Decoders {
  readonly value: (bytes: Uint8Array) => unknown;
  readonly list: (bytes: Uint8Array) => unknown;
}

/**
 * Keyed state of one operator instance in DynamoDB: aws-base's keyed-state API on top of a
 * {@link DynamoDbStateStore}. Values are serialized when written (so a too-large value fails
 * the write itself) and held as bytes in the store's bounded cache.
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
  readonly #decoderCache = new Map<RegisteredKeyedState, Decoders>();
  readonly #catalog = new StateCatalog();
  #restored: RestoredCheckpointInfo | undefined;

  constructor(parameters: KeyedStateBackendParameters<K>, store: DynamoDbStateStore) {
    super(parameters);
    this.store = store;
    const maxValueBytes = Math.floor(VALUE_BYTES_PER_ITEM / store.versionsPerItem);
    this.limits = Object.freeze({ maxValueBytes, maxKeyBytes: MAX_KEY_BYTES });
    // DynamoDB deletes by wall-clock time: expiries from another clock would mean nothing to it.
    this.#nativeTtl = parameters.clock === undefined || parameters.clock === systemTimeProvider;
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

  /** The id `snapshot()` takes when given none: one above the checkpoint restored or the last one taken. */
  get nextCheckpointId(): number {
    return this.store.nextCheckpointId;
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

  protected read(state: RegisteredKeyedState, cell: StateCell): Promise<unknown> {
    return this.store.read(this.#ref(state, cell), this.#decoders(state).value);
  }

  protected write(state: RegisteredKeyedState, cell: StateCell, stored: unknown): Promise<void> {
    return this.#put(
      state,
      this.#ref(state, cell),
      encodeStored(state, stored),
      expiryOf(state, stored),
      stored,
    );
  }

  protected remove(state: RegisteredKeyedState, cell: StateCell): Promise<void> {
    if (state.kind === 'map') return this.store.clearMap(this.#cell(state, cell));
    return this.store.delete(this.#ref(state, cell));
  }

  protected readList(state: RegisteredKeyedState, cell: StateCell): Promise<readonly unknown[] | undefined> {
    return this.store.read(this.#ref(state, cell), this.#decoders(state).list) as Promise<
      readonly unknown[] | undefined
    >;
  }

  protected async appendList(
    state: RegisteredKeyedState,
    cell: StateCell,
    elements: readonly unknown[],
  ): Promise<void> {
    const existing = (await this.readList(state, cell)) ?? [];
    await this.writeList(state, cell, [...existing, ...elements]);
  }

  protected writeList(
    state: RegisteredKeyedState,
    cell: StateCell,
    elements: readonly unknown[],
  ): Promise<void> {
    const bytes = encodeList(state, elements);
    return this.#put(state, this.#ref(state, cell), bytes, listExpiry(state, elements), elements);
  }

  protected readEntry(
    state: RegisteredKeyedState,
    cell: StateCell,
    userKey: SerializedRef,
  ): Promise<unknown> {
    return this.store.read(this.#ref(state, cell, userKey), this.#decoders(state).value);
  }

  protected writeEntry(
    state: RegisteredKeyedState,
    cell: StateCell,
    userKey: SerializedRef,
    stored: unknown,
  ): Promise<void> {
    const ref = this.#ref(state, cell, userKey);
    return this.#put(state, ref, encodeStored(state, stored), expiryOf(state, stored), stored);
  }

  protected removeEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): Promise<void> {
    return this.store.delete(this.#ref(state, cell, userKey));
  }

  protected async readEntries(
    state: RegisteredKeyedState,
    cell: StateCell,
  ): Promise<readonly StoredMapEntry[]> {
    const userKeys = state.userKeySerializer;
    if (userKeys === undefined) return [];
    const entries = await this.store.entries(this.#cell(state, cell));
    return entries.map(
      ([mapKey, value]): StoredMapEntry => [userKeys.deserialize(mapKey), decodeStored(state, value)],
    );
  }

  protected async *iterateKeys(
    state: RegisteredKeyedState,
    namespace: SerializedRef,
  ): AsyncGenerator<Uint8Array> {
    yield* await this.store.keys(state.name, namespace.bytes);
  }

  protected async disposeStore(): Promise<void> {
    await this.store.close();
  }

  /** Stores `bytes`, refusing them before anything changes when they exceed the limit. */
  #put(
    state: RegisteredKeyedState,
    ref: EntryRef,
    bytes: Uint8Array,
    expiresAt: number | undefined,
    decoded: unknown,
  ): Promise<void> {
    const limit = this.limits.maxValueBytes ?? MAX_VALUE_BYTES;
    if (bytes.length > limit) {
      return Promise.reject(new StateValueTooLargeError(state.name, bytes.length, limit, 'DynamoDB item'));
    }
    return this.store.put(ref, bytes, { expiresAt: this.#nativeTtl ? expiresAt : undefined, decoded });
  }

  /** One decoder per state and shape, so the store can keep what it decoded with its entry. */
  #decoders(state: RegisteredKeyedState): Decoders {
    let decoders = this.#decoderCache.get(state);
    if (decoders === undefined) {
      decoders = { value: (bytes) => decodeStored(state, bytes), list: (bytes) => decodeList(state, bytes) };
      this.#decoderCache.set(state, decoders);
    }
    return decoders;
  }

  #cell(state: RegisteredKeyedState, cell: StateCell): CellRef {
    const context = cell.keyContext;
    return {
      state: state.name,
      keyGroup: context.keyGroup,
      key: context.keyBytes,
      namespace: cell.namespace.bytes,
    };
  }

  #ref(state: RegisteredKeyedState, cell: StateCell, userKey?: SerializedRef): EntryRef {
    const ref: EntryRef = { ...this.#cell(state, cell), mapKey: userKey?.bytes };
    const keyBytes = ref.key.length + ref.namespace.length + (ref.mapKey?.length ?? 0);
    const sortKeyBytes = keyBytes + Buffer.byteLength(state.name) + SORT_KEY_OVERHEAD;
    if (keyBytes > MAX_KEY_BYTES || sortKeyBytes > MAX_SORT_KEY_BYTES) {
      throw new KeyTooLargeError(state.name, keyBytes, MAX_KEY_BYTES);
    }
    return ref;
  }
}
