import type { TypeSerializer } from '../serialization/type-serializer.js';
import { defaultValueSerializer } from './default-serializers.js';
import type { State } from './state.js';
import { StateDescriptor } from './state-descriptor.js';

/**
 * One value per key (and namespace).
 *
 * @typeParam T - the value's type.
 * @typeParam R - what {@link ValueState.value} returns: `T` when the descriptor has a default
 *   value, `T | undefined` otherwise.
 */
export interface ValueState<T, R extends T | undefined = T | undefined> extends State {
  /** The value, or the descriptor's default (a fresh copy) when there is none. */
  value(): Promise<R>;
  /**
   * Sets the value. The state keeps its own copy: changing the object afterwards does not change
   * the state. `undefined` clears the state, as `null` does in Flink.
   */
  update(value: T | undefined): Promise<void>;
}

/**
 * The class behind {@link ValueStateDescriptor}; use that name. Exported for the backends'
 * `instanceof` checks.
 */
export class ValueStateDescriptorClass<T, R extends T | undefined = T | undefined> extends StateDescriptor<
  ValueState<T, R>,
  T
> {
  readonly kind = 'value' as const;
  /** Returned (copied) by `value()` while the key has no value. */
  readonly defaultValue: T | undefined;

  constructor(name: string, serializer?: TypeSerializer<T>, defaultValue?: T) {
    super(name, serializer ?? defaultValueSerializer<T>());
    this.defaultValue = defaultValue;
  }
}

/**
 * Describes a {@link ValueState}: name, serializer (MessagePack when omitted) and an optional
 * default value returned while the key has no value. With a default, `value()` is typed `T`.
 *
 * @example
 * ```ts
 * const clicks = new ValueStateDescriptor('clicks', Serializers.int, 0);
 * await backend.withKey('user-1', async (ctx) => {
 *   const state = ctx.getState(clicks);
 *   await state.update((await state.value()) + 1);
 * });
 * ```
 */
export interface ValueStateDescriptor<T, R extends T | undefined = T | undefined>
  extends ValueStateDescriptorClass<T, R> {}

/** Constructor signatures of {@link ValueStateDescriptor}: with a default, `value()` is never undefined. */
export interface ValueStateDescriptorConstructor {
  new <T>(
    name: string,
    serializer: TypeSerializer<T> | undefined,
    defaultValue: T,
  ): ValueStateDescriptor<T, T>;
  new <T>(name: string, serializer?: TypeSerializer<T>): ValueStateDescriptor<T, T | undefined>;
  readonly prototype: ValueStateDescriptor<unknown>;
}

/** Describes a {@link ValueState}; see the interface of the same name. */
export const ValueStateDescriptor = ValueStateDescriptorClass as ValueStateDescriptorConstructor;
