import type { CheckpointedState } from '../checkpoint/metadata/checkpointed-state.js';
import { CorruptCheckpointError, StateMigrationError } from '../errors.js';
import { checkSerializerCompatibility } from '../serialization/check-compatibility.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import { VALUE_ROLE } from './checkpointed-state-of.js';
import type { RegisteredKeyedState } from './registered-state.js';

/**
 * Checks that a state registered now reads what was stored for it: same kind, TTL on or off as
 * before, and serializers compatible with the stored ones (keys, namespaces and map keys as-is).
 * Returns how values are read: as-is, or migrated by `migrate`.
 *
 * @throws StateMigrationError or `IncompatibleSerializerError` naming the state and both versions.
 */
export function checkRestoredState(
  stored: CheckpointedState,
  registered: RegisteredKeyedState,
  keySerializer: TypeSerializer<unknown>,
  source: string,
): ReturnType<typeof checkSerializerCompatibility> {
  const name = registered.name;
  if (stored.kind !== registered.kind) {
    throw new StateMigrationError(name, `a ${stored.kind} state`, `a ${registered.kind} state`);
  }
  if ((stored.ttl === undefined) !== (registered.ttl === undefined)) {
    throw new StateMigrationError(
      name,
      stored.ttl === undefined ? 'a state without TTL' : 'a state with TTL',
      registered.ttl === undefined ? 'a state without TTL' : 'a state with TTL',
    );
  }
  const check = (
    role: Parameters<typeof checkSerializerCompatibility>[1],
    current: TypeSerializer<unknown>,
  ) => {
    const snapshot = stored.serializers[role];
    if (snapshot === undefined)
      throw new CorruptCheckpointError(source, `state '${name}' lacks its ${role} serializer`);
    return checkSerializerCompatibility(name, role, snapshot, current);
  };
  check('key', keySerializer);
  check('namespace', registered.namespaceSerializer);
  if (registered.userKeySerializer !== undefined) check('mapKey', registered.userKeySerializer);
  return check(VALUE_ROLE[registered.kind], registered.serializer);
}
