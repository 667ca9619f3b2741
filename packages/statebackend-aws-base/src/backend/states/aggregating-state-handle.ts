import type { AggregateFunction, AggregatingState } from '../../state/aggregating-state.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import { MergingValueHandle } from './merging-value-handle.js';
import type { HandleServices } from './state-handle.js';

/** {@link AggregatingState}: `add` aggregates into the stored accumulator; `get` returns the result. */
export class AggregatingStateHandle<IN, ACC, OUT>
  extends MergingValueHandle<ACC>
  implements AggregatingState<IN, OUT>
{
  readonly #fn: AggregateFunction<IN, ACC, OUT>;

  constructor(
    services: HandleServices,
    state: RegisteredKeyedState,
    keyContext: KeyContext<unknown>,
    namespace: SerializedRef,
    cellId: string,
    fn: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(services, state, keyContext, namespace, cellId);
    this.#fn = fn;
  }

  async get(): Promise<OUT | undefined> {
    this.beforeAccess();
    const accumulator = await this.readCurrent();
    return accumulator === undefined ? undefined : this.#fn.getResult(accumulator);
  }

  override add(value: IN): Promise<void> {
    return super.add(value);
  }

  protected fold(current: ACC | undefined, input: unknown): ACC {
    return this.#fn.add(input as IN, current ?? this.#fn.createAccumulator());
  }

  protected combine(a: ACC, b: ACC): ACC {
    return this.#fn.merge(a, b);
  }
}
