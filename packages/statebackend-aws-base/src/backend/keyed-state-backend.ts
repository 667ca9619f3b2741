import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import type { State } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';
import type { KeyedContext } from './key-context.js';
import type { RegisteredKeyedState } from './registered-state.js';

/**
 * What a store cannot hold, so that callers (and the conformance suite) know where its limits
 * are. Absent fields mean "only memory limits it".
 */
export interface StateLimits {
  /** Largest serialized value, list element, map value or accumulator, in bytes. */
  readonly maxValueBytes?: number;
  /** Largest serialized key (plus namespace and map key), in bytes. */
  readonly maxKeyBytes?: number;
}

/**
 * Keyed state of one operator instance: the key groups of {@link keyGroupRange} out of
 * {@link maxParallelism}. Records are processed with {@link withKey}; every backend (heap,
 * DynamoDB, S3) behaves the same behind this interface.
 *
 * @example
 * ```ts
 * const counts = new ValueStateDescriptor('count', Serializers.int, 0);
 * await Promise.all(
 *   events.map((event) =>
 *     backend.withKey(event.userId, async (ctx) => {
 *       const count = ctx.getState(counts);
 *       await count.update((await count.value()) + 1);
 *     }),
 *   ),
 * );
 * ```
 */
export interface KeyedStateBackend<K> {
  readonly jobId: string;
  readonly operatorId: string;
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly keySerializer: TypeSerializer<K>;
  readonly limits: StateLimits;

  /**
   * Runs `fn` with the state of `key`. The key is serialized and its key group computed once.
   * Calls for the same key run one after another in call order; calls for different keys run
   * concurrently, and their awaits may interleave freely. Rejects with a
   * `KeySerializationError` for a key the key serializer rejects and a
   * `KeyGroupOutOfRangeError` for a key another operator instance owns.
   */
  withKey<R>(key: K, fn: (ctx: KeyedContext<K>) => R | Promise<R>): Promise<R>;

  /**
   * Registers a state ahead of the first record, so that a conflicting registration fails at
   * startup rather than on the first record. With a namespace serializer, the state is
   * namespaced (see `KeyedContext.getPartitionedState`).
   */
  registerState<S extends State, T>(
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer?: TypeSerializer<unknown>,
  ): RegisteredKeyedState;

  /** Every registered state, in registration order. */
  registeredStates(): readonly RegisteredKeyedState[];

  /**
   * The keys that have state `stateName` (in `namespace`, for a namespaced state), each once, in
   * no particular order. May include keys whose only values have expired but are not yet cleaned
   * up. Throws a `StateNotRegisteredError` for a name not registered.
   */
  keys(stateName: string, namespace?: unknown): AsyncIterable<K>;

  /** Releases what the backend holds. It cannot be used afterwards. */
  dispose(): Promise<void>;
}
