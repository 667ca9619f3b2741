import { BigIntSerializer } from '../../serialization/bigint-serializer.js';
import { BooleanSerializer } from '../../serialization/boolean-serializer.js';
import { INT32_MAX, INT32_MIN, IntSerializer } from '../../serialization/int-serializer.js';
import { NumberSerializer } from '../../serialization/number-serializer.js';
import { StringSerializer } from '../../serialization/string-serializer.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';

// ES2024's String.prototype.isWellFormed (Node >= 20); the package's lib is ES2023.
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
  .isWellFormed;

/**
 * What the built-in serializers of immutable values accept, checked without serializing: a
 * write then skips building bytes only to throw them away. Each check is exactly the rule the
 * serializer enforces (a unit test holds them together); a value a check refuses is serialized
 * anyway, so the serializer's own error reaches the caller.
 */
const ACCEPTS = new Map<object, (value: unknown) => boolean>([
  [NumberSerializer.INSTANCE, (value) => typeof value === 'number'],
  [
    IntSerializer.INSTANCE,
    (value) => Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX,
  ],
  [StringSerializer.INSTANCE, (value) => typeof value === 'string' && isWellFormed.call(value)],
  [BooleanSerializer.INSTANCE, (value) => typeof value === 'boolean'],
  [BigIntSerializer.INSTANCE, (value) => typeof value === 'bigint'],
]);

/** The check of a built-in serializer of immutable values, if `serializer` is one. */
export function fastAcceptCheck(
  serializer: TypeSerializer<unknown>,
): ((value: unknown) => boolean) | undefined {
  return ACCEPTS.get(serializer);
}
