import { type SerializerRole, StateSerializationError } from '../../errors.js';
import { describeValue } from '../../serialization/describe-value.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import type { State } from '../../state/state.js';
import type { TtlTimeProvider } from '../../state/ttl/time-provider.js';
import { type TtlValue, ttlValue } from '../../state/ttl/ttl-value.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { KeyedStateStore, MaybePromise, SerializedRef, StateCell } from '../state-store.js';
import { readThroughTtl } from './ttl-read.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** The promise of a store write: its own if it has one, else a shared settled one. */
export function settled(written: MaybePromise<void>): Promise<void> {
  return written instanceof Promise ? written : RESOLVED;
}

/** What every handle of one keyed backend shares. */
export interface HandleServices {
  readonly store: KeyedStateStore;
  readonly clock: TtlTimeProvider;
  /** Called before each operation on a state with incremental TTL cleanup. */
  cleanupStep(state: RegisteredKeyedState): void;
}

/**
 * A state of one key in one namespace: the cell it addresses and the copies in and out that keep
 * stored values private. Values go in as a copy made (and checked) by the serializer, and come
 * out as a copy, so neither an object passed to a write nor one returned by a read is shared with
 * the store or a snapshot. Immutable values (strings, numbers, bigints, booleans) are not copied;
 * they are only checked, by serializing them.
 */
export abstract class StateHandle implements StateCell, State {
  protected readonly services: HandleServices;
  protected readonly store: KeyedStateStore;
  readonly state: RegisteredKeyedState;
  readonly keyContext: KeyContext<unknown>;
  readonly namespace: SerializedRef;
  readonly cellId: string;

  constructor(
    services: HandleServices,
    state: RegisteredKeyedState,
    keyContext: KeyContext<unknown>,
    namespace: SerializedRef,
    cellId: string,
  ) {
    this.services = services;
    this.store = services.store;
    this.state = state;
    this.keyContext = keyContext;
    this.namespace = namespace;
    this.cellId = cellId;
  }

  clear(): Promise<void> {
    // No async frame, and a shared settled promise, while the store answers synchronously.
    try {
      this.beforeAccess();
      return settled(this.store.remove(this.state, this));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runs the state's incremental TTL cleanup, if it has one. */
  protected beforeAccess(): void {
    if (this.state.ttl?.incrementalCleanup !== undefined) this.services.cleanupStep(this.state);
  }

  /** The private copy of `value` to store; throws a {@link StateSerializationError} if it cannot be stored. */
  protected copyIn<T>(value: T, serializer: TypeSerializer<T>, role: SerializerRole): T {
    try {
      if (typeof value === 'object' && value !== null) return serializer.copy(value);
      // Immutable values need no copy, only the check that the serializer takes them.
      const accepts = serializer === this.state.serializer ? this.state.acceptsWithoutSerializing : undefined;
      if (accepts === undefined || !accepts(value)) serializer.serialize(value);
      return value;
    } catch (error) {
      throw this.serializationError(value, serializer, role, error);
    }
  }

  /** The typed error for a value `serializer` failed on, naming this state. */
  protected serializationError(
    value: unknown,
    serializer: Pick<TypeSerializer<unknown>, 'snapshot'>,
    role: SerializerRole,
    error: unknown,
  ): StateSerializationError {
    return new StateSerializationError(
      this.state.name,
      role,
      serializer.snapshot().id,
      describeValue(value),
      error,
    );
  }

  /** A copy of a stored value for the caller. */
  protected copyOut<T>(stored: T, serializer: TypeSerializer<T>): T {
    return typeof stored === 'object' && stored !== null ? serializer.copy(stored) : stored;
  }

  /**
   * The user value of what this cell's store read returned (`read`, awaited if pending), after the
   * state's TTL check: an expired value is removed (and returned only if the TTL says so), a live
   * one refreshed on read if the TTL says so. Undefined when nothing is stored.
   */
  protected async readValueThroughTtl(read: unknown): Promise<unknown> {
    const stored = read instanceof Promise ? await read : read;
    const ttl = this.state.ttl;
    if (ttl === undefined) return stored;
    return readThroughTtl(stored as TtlValue<unknown> | undefined, ttl, this.now(), {
      remove: () => this.store.remove(this.state, this),
      write: (refreshed) => this.store.write(this.state, this, refreshed),
    });
  }

  /** Stores `copy` (already a private copy) in this cell, stamped with the current time when the state has a TTL. */
  protected writeValue(copy: unknown): MaybePromise<void> {
    return this.store.write(
      this.state,
      this,
      this.state.ttl === undefined ? copy : ttlValue(copy, this.now()),
    );
  }

  protected now(): number {
    return this.services.clock.currentTimestamp();
  }
}
