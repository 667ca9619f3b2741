import { InvalidStateDescriptorError } from '../errors.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import { defaultValueSerializer } from './default-serializers.js';
import type { MergingState } from './state.js';
import { StateDescriptor } from './state-descriptor.js';

/**
 * Combines two values into one, e.g. a sum or a maximum. It may return either argument or a new
 * value; it receives copies, so changing its first argument is safe.
 */
export type ReduceFunction<T> = (accumulated: T, value: T) => T;

/** One value per key that every `add` reduces into with the descriptor's {@link ReduceFunction}. */
export interface ReducingState<T> extends MergingState<T, T | undefined> {
  /** The reduced value, or undefined when nothing was added. */
  get(): Promise<T | undefined>;
  /** Stores `value` when nothing is stored, else `reduce(stored, value)`. */
  add(value: T): Promise<void>;
}

/**
 * Describes a {@link ReducingState}: name, reduce function and serializer (MessagePack when
 * omitted).
 *
 * @example
 * ```ts
 * const total = new ReducingStateDescriptor('total', (a, b) => a + b, Serializers.number);
 * ```
 */
export class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>, T> {
  readonly kind = 'reducing' as const;
  readonly reduceFunction: ReduceFunction<T>;

  constructor(name: string, reduceFunction: ReduceFunction<T>, serializer?: TypeSerializer<T>) {
    super(name, serializer ?? defaultValueSerializer<T>());
    if (typeof reduceFunction !== 'function') {
      throw new InvalidStateDescriptorError(name, 'the reduce function is not a function');
    }
    this.reduceFunction = reduceFunction;
  }
}
