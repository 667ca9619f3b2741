import { InvalidStateDescriptorError } from '../errors.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import { defaultValueSerializer } from './default-serializers.js';
import type { MergingState } from './state.js';
import { StateDescriptor } from './state-descriptor.js';

/**
 * Aggregates input values into an accumulator and derives a result from it, as Flink's
 * `AggregateFunction`. `add` and `merge` may change and return their accumulator argument: they
 * receive a copy of what is stored.
 *
 * @example
 * ```ts
 * const average: AggregateFunction<number, { sum: number; count: number }, number> = {
 *   createAccumulator: () => ({ sum: 0, count: 0 }),
 *   add: (value, acc) => ({ sum: acc.sum + value, count: acc.count + 1 }),
 *   getResult: (acc) => (acc.count === 0 ? 0 : acc.sum / acc.count),
 *   merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
 * };
 * ```
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Combines two accumulators, for merging namespaces (session windows). */
  merge(a: ACC, b: ACC): ACC;
}

/** One accumulator per key that every `add` aggregates into; `get` returns the result. */
export interface AggregatingState<IN, OUT> extends MergingState<IN, OUT | undefined> {
  /** `getResult(accumulator)`, or undefined when nothing was added. */
  get(): Promise<OUT | undefined>;
  /** Aggregates `value` into the accumulator (created on first add). */
  add(value: IN): Promise<void>;
}

/**
 * Describes an {@link AggregatingState}: name, aggregate function and accumulator serializer
 * (MessagePack when omitted).
 */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<
  AggregatingState<IN, OUT>,
  ACC
> {
  readonly kind = 'aggregating' as const;
  readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>;

  constructor(
    name: string,
    aggregateFunction: AggregateFunction<IN, ACC, OUT>,
    accumulatorSerializer?: TypeSerializer<ACC>,
  ) {
    super(name, accumulatorSerializer ?? defaultValueSerializer<ACC>());
    for (const method of ['createAccumulator', 'add', 'getResult', 'merge'] as const) {
      if (typeof aggregateFunction?.[method] !== 'function') {
        throw new InvalidStateDescriptorError(name, `the aggregate function has no ${method}() method`);
      }
    }
    this.aggregateFunction = aggregateFunction;
  }

  /** The serializer of the accumulator (same as `serializer`). */
  get accumulatorSerializer(): TypeSerializer<ACC> {
    return this.serializer;
  }
}
