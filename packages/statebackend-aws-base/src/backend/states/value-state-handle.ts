import type { TtlValue } from '../../state/ttl/ttl-value.js';
import { ttlValue } from '../../state/ttl/ttl-value.js';
import type { ValueState } from '../../state/value-state.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import { type HandleServices, StateHandle } from './state-handle.js';
import { readThroughTtl } from './ttl-read.js';

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

  async value(): Promise<T | undefined> {
    this.beforeAccess();
    let stored = this.store.read(this.state, this);
    if (stored instanceof Promise) stored = await stored;
    const ttl = this.state.ttl;
    const found =
      ttl === undefined
        ? stored
        : await readThroughTtl(stored as TtlValue<unknown> | undefined, ttl, this.now(), {
            remove: () => this.store.remove(this.state, this),
            write: (refreshed) => this.store.write(this.state, this, refreshed),
          });
    const serializer = this.state.serializer;
    if (found === undefined) {
      return this.#defaultValue === undefined
        ? undefined
        : (this.copyOut(this.#defaultValue, serializer) as T);
    }
    return this.copyOut(found, serializer) as T;
  }

  async update(value: T | undefined): Promise<void> {
    if (value === undefined) return this.clear();
    this.beforeAccess();
    const copy = this.copyIn(value, this.state.serializer, 'value');
    const written = this.store.write(
      this.state,
      this,
      this.state.ttl === undefined ? copy : ttlValue(copy, this.now()),
    );
    if (written instanceof Promise) await written;
  }
}
