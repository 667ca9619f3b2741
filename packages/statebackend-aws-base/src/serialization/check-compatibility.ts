import { IncompatibleSerializerError, type SerializerRole } from '../errors.js';
import { formatSnapshot } from './base-serializer.js';
import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Roles whose bytes are part of a state's stored address. As in Flink, they must read the
 * stored format as-is: migrating them would change the bytes and so the key group (for keys)
 * and the position of every entry already stored.
 */
const ADDRESS_ROLES: ReadonlySet<SerializerRole> = new Set(['key', 'namespace', 'mapKey']);

/**
 * Checks that `current` can read what a checkpoint stored for one serializer of a state, and
 * returns how: as-is, or after migration (call `migrate` on each stored value's bytes).
 *
 * Throws an {@link IncompatibleSerializerError} naming the state, the role and both serializers
 * when it cannot, or when a key, namespace or map-key serializer would need a migration.
 *
 * @example
 * ```ts
 * const result = checkSerializerCompatibility('clicks', 'value', stored.value, descriptor.serializer);
 * const read = result.kind === 'compatible-as-is' ? descriptor.serializer.deserialize : result.migrate;
 * ```
 */
export function checkSerializerCompatibility(
  stateName: string,
  role: SerializerRole,
  stored: SerializerSnapshot,
  current: TypeSerializer<unknown>,
): Exclude<SerializerCompatibility, { kind: 'incompatible' }> {
  const result = current.resolveCompatibility(stored);
  const fail = (reason: string): never => {
    throw new IncompatibleSerializerError(
      stateName,
      role,
      formatSnapshot(stored),
      formatSnapshot(current.snapshot()),
      reason,
    );
  };
  if (result.kind === 'incompatible') return fail(result.reason);
  if (result.kind === 'compatible-after-migration' && ADDRESS_ROLES.has(role)) {
    return fail(
      'it would need a migration, but keys, namespaces and map keys must read the stored bytes as-is',
    );
  }
  return result;
}
