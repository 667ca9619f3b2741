import type { TtlValue } from '../../state/ttl/ttl-value.js';
import { ttlValue } from '../../state/ttl/ttl-value.js';
import type { ValueState } from '../../state/value-state.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import { type HandleServices, StateHandle } from './state-handle.js';
import { readThroughTtl } from './ttl-read.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** {@link ValueState} over a store's value cell. */
export class ValueStateHandle<T> extends StateHandle implements ValueState<T> {
  readonly #defaultValue: T | undefined;

  constructor(
    services: HandleServices,
    state: RegisteredKeyedState,
    keyContext: KeyContext<unknown>,
    namespace: SerializedRef,
    cellId: string,
    defaultValue: T | undefined,
  ) {
    super(services, state, keyContext, namespace, cellId);
    this.#defaultValue = defaultValue;
  }

  value(): Promise<T | undefined> {
    // The hot path of a heap backend (a stored value, no TTL) answers without an async frame.
    try {
      this.beforeAccess();
      const stored = this.store.read(this.state, this);
      if (stored instanceof Promise || this.state.ttl !== undefined) return this.#valueAfter(stored);
      return Promise.resolve(this.#result(stored));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  update(value: T | undefined): Promise<void> {
    try {
      if (value === undefined) return this.clear();
      this.beforeAccess();
      const copy = this.copyIn(value, this.state.serializer, 'value');
      const written = this.store.write(
        this.state,
        this,
        this.state.ttl === undefined ? copy : ttlValue(copy, this.now()),
      );
      return written instanceof Promise ? written : RESOLVED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #valueAfter(read: unknown): Promise<T | undefined> {
    const stored = read instanceof Promise ? await read : read;
    const ttl = this.state.ttl;
    const found =
      ttl === undefined
        ? stored
        : await readThroughTtl(stored as TtlValue<unknown> | undefined, ttl, this.now(), {
            remove: () => this.store.remove(this.state, this),
            write: (refreshed) => this.store.write(this.state, this, refreshed),
          });
    return this.#result(found);
  }

  /** A copy of what was found, or of the default value. */
  #result(found: unknown): T | undefined {
    if (found !== undefined) return this.copyOut(found, this.state.serializer) as T;
    return this.#defaultValue === undefined
      ? undefined
      : (this.copyOut(this.#defaultValue, this.state.serializer) as T);
  }
}
