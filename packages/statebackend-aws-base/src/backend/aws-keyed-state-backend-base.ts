import {
  KeyGroupOutOfRangeError,
  KeySerializationError,
  StateBackendDisposedError,
  StateBackendError,
  StateNotRegisteredError,
} from '../errors.js';
import { asciiKeyGroupHash, keyGroupHash } from '../keygroup/key-group-assignment.js';
import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import type { MetricGroup } from '../metrics/metric-group.js';
import { describeValue } from '../serialization/describe-value.js';
import { isBuiltInStringSerializer } from '../serialization/string-serializer.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import { encodeUtf8Transient } from '../serialization/utf8.js';
import type { NamespacedStateOf } from '../state/namespace.js';
import type { State } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';
import { systemTimeProvider, type TtlTimeProvider } from '../state/ttl/time-provider.js';
import { bytesToId, stringKeyId } from './byte-id.js';
import { KeyContext, type KeyedContext, type KeyedStateFactory } from './key-context.js';
import type { KeyGroupGate } from './key-group-gate.js';
import { KeyOrderedExecutor } from './key-ordered-executor.js';
import type { KeyedStateBackend, StateLimits } from './keyed-state-backend.js';
import {
  type KeyedStateBackendParameters,
  validateKeyedStateBackendParameters,
} from './keyed-state-backend-parameters.js';
import { RegisteredKeyedState } from './registered-state.js';
import { countingStore } from './state-metrics.js';
import type { KeyedStateStore } from './state-store.js';
import { type HandleFactory, handleFactoryFor } from './states/handle-factory.js';
import { PartitionedState, serializeNamespace } from './states/partitioned-state.js';
import type { HandleServices } from './states/state-handle.js';
import { VOID_NAMESPACE_REF } from './void-namespace-ref.js';

interface CachedFactory {
  readonly state: RegisteredKeyedState;
  readonly factory: HandleFactory;
  /** The descriptor's TTL when cached: a later `enableTimeToLive` must be checked again. */
  readonly ttl: unknown;
  readonly namespaceSerializer: TypeSerializer<unknown> | undefined;
}

/**
 * The base of every keyed backend, in the shape of Flink's `AbstractKeyedStateBackend` and the
 * Java module's keyed backend base, but asynchronous and key-group aware. It owns state
 * registration, the key context, namespaces and the keyed-state operations (defaults, TTL,
 * reduce, aggregate, merge, copies), all built on the primitives of the {@link KeyedStateStore}
 * a backend hands to its constructor: read, write, remove and iterate by (state, key group, key,
 * namespace[, map key]), in the spirit of Powertools' `BasePersistenceLayer`, with the store as
 * an object of its own rather than protected methods.
 *
 * The store implements the primitives against its storage; whatever it returns may be a value or
 * a promise. It never sees keys or values it has to interpret, only cells (`StateCell`: the key's
 * bytes, id and key group, and the namespace's) and opaque stored values.
 */
export abstract class AwsKeyedStateBackendBase<K> implements KeyedStateBackend<K>, KeyedStateFactory<K> {
  readonly jobId: string;
  readonly operatorId: string;
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly keySerializer: TypeSerializer<K>;
  abstract readonly limits: StateLimits;
  protected readonly clock: TtlTimeProvider;
  protected readonly logger: Logger;
  /** The group `state` under the metric group given, where state metrics go; undefined without one. */
  protected readonly metricGroup: MetricGroup | undefined;

  readonly #states = new Map<string, RegisteredKeyedState>();
  readonly #factories = new WeakMap<StateDescriptor<State, unknown>, CachedFactory>();
  readonly #partitionedFactories = new WeakMap<StateDescriptor<State, unknown>, CachedFactory>();
  /** The descriptor `createState` saw last and its factory (a one-entry cache before `#factories`). */
  #lastDescriptor: object | undefined;
  #lastFactory: CachedFactory | undefined;
  readonly #everyRecordCleanup: RegisteredKeyedState[] = [];
  readonly #executor: KeyOrderedExecutor;
  readonly #store: KeyedStateStore;
  readonly #services: HandleServices;
  /** True when keys go through the built-in string serializer, whose encoding is known here. */
  readonly #stringKeys: boolean;
  #disposed = false;
  #gate: KeyGroupGate | undefined;

  /** `store` is the backend's storage: the base calls it for every state access, and disposes it. */
  protected constructor(parameters: KeyedStateBackendParameters<K>, store: KeyedStateStore) {
    validateKeyedStateBackendParameters(parameters);
    this.jobId = parameters.jobId;
    this.operatorId = parameters.operatorId;
    this.keyGroupRange = parameters.keyGroupRange;
    this.maxParallelism = parameters.maxParallelism;
    this.keySerializer = parameters.keySerializer;
    this.#stringKeys = isBuiltInStringSerializer(this.keySerializer);
    this.clock = parameters.clock ?? systemTimeProvider;
    this.logger = parameters.logger ?? noopLogger;
    this.metricGroup = parameters.metricGroup?.addGroup('state');
    this.#executor = new KeyOrderedExecutor(this.keyGroupRange.startKeyGroup, this.keyGroupRange.size);
    this.#store = store;
    this.#services = {
      store: this.metricGroup === undefined ? store : countingStore(store, this.metricGroup),
      clock: this.clock,
      cleanupStep: (state) => store.cleanupStep(state),
    };
  }

  // ---- Hooks of a backend ---------------------------------------------------------------

  /**
   * A state was registered, after its store prepared for it: a backend checks it against what it
   * restored, or loads restored entries. Throwing leaves the state unregistered.
   */
  protected onStateRegistered(_state: RegisteredKeyedState): void {}

  // ---- The keyed-state API ---------------------------------------------------------------

  withKey<R>(key: K, fn: (ctx: KeyedContext<K>) => R | Promise<R>): Promise<R> {
    if (this.#disposed) return Promise.reject(new StateBackendDisposedError('process a record'));
    let context: KeyContext<K>;
    try {
      context = this.keyContextOf(key);
    } catch (error) {
      return Promise.reject(error);
    }
    const cleanups = this.#everyRecordCleanup;
    for (let i = 0; i < cleanups.length; i++) this.#store.cleanupStep(cleanups[i] as RegisteredKeyedState);
    const gate = this.#gate;
    if (gate !== undefined && !gate.isReady(context.keyGroup)) {
      // Waits in the key's turn, so records of one key still run in call order.
      const ready = gate;
      return this.#executor.run(
        context.keyId,
        context.keyGroup,
        (ctx) => ready.whenReady(ctx.keyGroup, context.keyId).then(() => fn(ctx)),
        context,
      );
    }
    return this.#executor.run(context.keyId, context.keyGroup, fn, context);
  }

  /**
   * Makes {@link withKey} wait for key groups `gate` does not call ready (a lazy restore still
   * loading them); undefined once every key group is served, leaving the one check.
   */
  protected setKeyGroupGate(gate: KeyGroupGate | undefined): void {
    this.#gate = gate;
  }

  registerState<S extends State, T>(
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer?: TypeSerializer<unknown>,
  ): RegisteredKeyedState {
    return this.#cachedFactory(descriptor as StateDescriptor<State, unknown>, namespaceSerializer).state;
  }

  registeredStates(): readonly RegisteredKeyedState[] {
    return [...this.#states.values()];
  }

  /** The registered state named `name`, if any. */
  getRegisteredState(name: string): RegisteredKeyedState | undefined {
    return this.#states.get(name);
  }

  async *keys(stateName: string, namespace?: unknown): AsyncGenerator<K> {
    const state = this.#states.get(stateName);
    if (state === undefined) throw new StateNotRegisteredError(stateName, [...this.#states.keys()]);
    if (state.namespaced && namespace === undefined) {
      throw new StateBackendError(
        `State '${stateName}' is namespaced: pass the namespace whose keys to list.`,
      );
    }
    const ref = state.namespaced ? serializeNamespace(state, namespace) : VOID_NAMESPACE_REF;
    for await (const bytes of this.#store.iterateKeys(state, ref))
      yield this.keySerializer.deserialize(bytes);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#store.dispose();
  }

  /** True once {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** @internal Called by {@link KeyContext.getState}. */
  createState<S extends State, T>(context: KeyContext<K>, descriptor: StateDescriptor<S, T>): S {
    // Most records use the descriptor the previous one used: compared before the WeakMap.
    let found = this.#lastFactory;
    if (descriptor !== this.#lastDescriptor || found === undefined || found.ttl !== descriptor.ttlConfig) {
      const cached = this.#factories.get(descriptor);
      found =
        cached !== undefined && cached.ttl === descriptor.ttlConfig
          ? cached
          : this.#cachedFactory(descriptor as StateDescriptor<State, unknown>, undefined);
      this.#lastDescriptor = descriptor;
      this.#lastFactory = found;
    }
    return found.factory(context as KeyContext<unknown>, VOID_NAMESPACE_REF, context.keyId) as unknown as S;
  }

  /** @internal Called by {@link KeyContext.getPartitionedState}. */
  createPartitionedState<N, S extends State, T>(
    context: KeyContext<K>,
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer: TypeSerializer<N>,
  ): NamespacedStateOf<N, S> {
    const found = this.#cachedFactory(
      descriptor as StateDescriptor<State, unknown>,
      namespaceSerializer as TypeSerializer<unknown>,
    );
    return new PartitionedState<N>(
      found.state,
      context as KeyContext<unknown>,
      found.factory,
    ) as unknown as NamespacedStateOf<N, S>;
  }

  /**
   * The key of one record, serialized once, with its id and key group. Throws a
   * {@link KeySerializationError} or a {@link KeyGroupOutOfRangeError}.
   */
  protected keyContextOf(key: K): KeyContext<K> {
    if (this.#stringKeys && typeof key === 'string') {
      // The built-in string serializer encodes an ASCII string as its own characters: the key
      // group comes from the string directly, and the string is the key's id (one character per
      // byte), as `stringKeyId` would find. The bytes are made only if a store asks for them.
      const hash = asciiKeyGroupHash(key);
      if (hash >= 0) return this.#contextOf(key, undefined, key, hash % this.maxParallelism);
      // Other strings are encoded into a scratch buffer, hashed and turned into their id there:
      // the id holds the bytes, which are made again only if a store asks for them.
      const transient = encodeUtf8Transient(key);
      if (transient !== undefined) {
        const keyGroup = keyGroupHash(transient) % this.maxParallelism;
        return this.#contextOf(key, undefined, bytesToId(transient), keyGroup);
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = this.keySerializer.serialize(key);
    } catch (error) {
      throw new KeySerializationError(this.keySerializer.snapshot().id, describeValue(key), error);
    }
    const id = typeof key === 'string' ? stringKeyId(key, bytes) : bytesToId(bytes);
    return this.#contextOf(key, bytes, id, keyGroupHash(bytes) % this.maxParallelism);
  }

  #contextOf(key: K, bytes: Uint8Array | undefined, id: string, keyGroup: number): KeyContext<K> {
    if (keyGroup < this.keyGroupRange.startKeyGroup || keyGroup > this.keyGroupRange.endKeyGroup) {
      throw new KeyGroupOutOfRangeError(keyGroup, String(this.keyGroupRange), this.maxParallelism);
    }
    return new KeyContext(key, bytes, id, keyGroup, this);
  }

  #cachedFactory(
    descriptor: StateDescriptor<State, unknown>,
    namespaceSerializer: TypeSerializer<unknown> | undefined,
  ): CachedFactory {
    if (this.#disposed) throw new StateBackendDisposedError(`use state '${descriptor.name}'`);
    const cache = namespaceSerializer === undefined ? this.#factories : this.#partitionedFactories;
    const cached = cache.get(descriptor);
    if (
      cached !== undefined &&
      cached.ttl === descriptor.ttlConfig &&
      cached.namespaceSerializer === namespaceSerializer
    ) {
      return cached;
    }
    const state = this.#register(descriptor, namespaceSerializer);
    const entry: CachedFactory = {
      state,
      factory: handleFactoryFor(this.#services, state, descriptor),
      ttl: descriptor.ttlConfig,
      namespaceSerializer,
    };
    cache.set(descriptor, entry);
    return entry;
  }

  #register(
    descriptor: StateDescriptor<State, unknown>,
    namespaceSerializer: TypeSerializer<unknown> | undefined,
  ): RegisteredKeyedState {
    const existing = this.#states.get(descriptor.name);
    if (existing !== undefined) {
      existing.checkRequest(descriptor, namespaceSerializer);
      return existing;
    }
    const state = new RegisteredKeyedState(descriptor, namespaceSerializer, this.#states.size);
    this.#store.registerState(state);
    this.onStateRegistered(state);
    this.#states.set(state.name, state);
    if (state.ttl?.incrementalCleanup?.runCleanupForEveryRecord === true)
      this.#everyRecordCleanup.push(state);
    this.logger.debug('Registered keyed state', {
      state: state.name,
      kind: state.kind,
      operatorId: this.operatorId,
    });
    return state;
  }
}
