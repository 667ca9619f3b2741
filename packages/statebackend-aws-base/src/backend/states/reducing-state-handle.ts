import type { ReduceFunction, ReducingState } from '../../state/reducing-state.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import { MergingValueHandle } from './merging-value-handle.js';
import type { HandleServices } from './state-handle.js';

/** {@link ReducingState}: `add` reduces into the stored value. */
export class ReducingStateHandle<T> extends MergingValueHandle<T> implements ReducingState<T> {
  readonly #reduce: ReduceFunction<T>;

  constructor(
    services: HandleServices,
    state: RegisteredKeyedState,
    keyContext: KeyContext<unknown>,
    namespace: SerializedRef,
    cellId: string,
    reduce: ReduceFunction<T>,
  ) {
    super(services, state, keyContext, namespace, cellId);
    this.#reduce = reduce;
  }

  async get(): Promise<T | undefined> {
    this.beforeAccess();
    return this.readCurrent();
  }

  override add(value: T): Promise<void> {
    return super.add(value);
  }

  protected fold(current: T | undefined, input: unknown): T {
    return current === undefined ? (input as T) : this.#reduce(current, input as T);
  }

  protected combine(a: T, b: T): T {
    return this.#reduce(a, b);
  }
}
