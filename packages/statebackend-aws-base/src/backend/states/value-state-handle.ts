import type { ValueState } from '../../state/value-state.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import { type HandleServices, StateHandle, settled } from './state-handle.js';

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
      return settled(this.writeValue(this.copyIn(value, this.state.serializer, 'value')));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #valueAfter(read: unknown): Promise<T | undefined> {
    return this.#result(await this.readValueThroughTtl(read));
  }

  /** A copy of what was found, or of the default value. */
  #result(found: unknown): T | undefined {
    if (found !== undefined) return this.copyOut(found, this.state.serializer) as T;
    return this.#defaultValue === undefined
      ? undefined
      : (this.copyOut(this.#defaultValue, this.state.serializer) as T);
  }
}
