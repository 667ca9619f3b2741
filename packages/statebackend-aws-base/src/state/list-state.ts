import type { TypeSerializer } from '../serialization/type-serializer.js';
import { defaultValueSerializer } from './default-serializers.js';
import type { MergingState } from './state.js';
import { StateDescriptor } from './state-descriptor.js';

/**
 * A list of elements per key (and namespace). Elements are stored one by one, so adding does not
 * rewrite the list in stores that can append.
 */
export interface ListState<T> extends MergingState<T, T[]> {
  /** A copy of the elements in the order added; an empty array when there are none. */
  get(): Promise<T[]>;
  /** Appends one element. */
  add(value: T): Promise<void>;
  /** Appends the elements in order; nothing happens for an empty array. */
  addAll(values: readonly T[]): Promise<void>;
  /** Replaces the list; an empty array clears it. */
  update(values: readonly T[]): Promise<void>;
}

/**
 * Describes a {@link ListState}: name and element serializer (MessagePack when omitted).
 *
 * @example
 * ```ts
 * const pages = new ListStateDescriptor('pages', Serializers.string);
 * await backend.withKey('session-9', (ctx) => ctx.getState(pages).add('/cart'));
 * ```
 */
export class ListStateDescriptor<T> extends StateDescriptor<ListState<T>, T> {
  readonly kind = 'list' as const;

  constructor(name: string, elementSerializer?: TypeSerializer<T>) {
    super(name, elementSerializer ?? defaultValueSerializer<T>());
  }

  /** The serializer of each element (same as `serializer`). */
  get elementSerializer(): TypeSerializer<T> {
    return this.serializer;
  }
}
