import { bytesToId, cellId } from '../../backend/byte-id.js';
import type { RegisteredKeyedState } from '../../backend/registered-state.js';
import { CorruptCheckpointError, StateMigrationError } from '../../errors.js';
import { ListContainer, MapContainer } from '../../heap/containers.js';
import type { StateTable } from '../../heap/state-table.js';
import { checkSerializerCompatibility } from '../../serialization/check-compatibility.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import { ttlValue } from '../../state/ttl/ttl-value.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import { VALUE_ROLE } from '../metadata/checkpointed-state-of.js';
import type { RestoredStateEntries } from './restored-keyed-state.js';

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

/**
 * Loads the restored entries of one state into the table of its new registration, after
 * {@link checkRestoredState} (values migrate when the serializer says how); only those of
 * `keyGroup` when given. Throws before loading anything when the registration does not fit.
 */
export function loadRestoredState(
  restored: RestoredStateEntries,
  registered: RegisteredKeyedState,
  keySerializer: TypeSerializer<unknown>,
  table: StateTable<unknown>,
  source: string,
  keyGroup?: number,
): void {
  const name = registered.name;
  const valueCompatibility = checkRestoredState(restored.state, registered, keySerializer, source);
  const read =
    valueCompatibility.kind === 'compatible-as-is'
      ? (bytes: Uint8Array) => registered.serializer.deserialize(bytes)
      : valueCompatibility.migrate;
  const mapKeySerializer = registered.userKeySerializer;
  const withTtl = registered.ttl !== undefined;
  const missingTtl = (): never => {
    throw new CorruptCheckpointError(
      source,
      `an entry of state '${name}', which has TTL, lacks its TTL timestamp`,
    );
  };
  const wrap = (bytes: Uint8Array, ttlTimestamp: number | undefined): unknown =>
    withTtl ? ttlValue(read(bytes), ttlTimestamp ?? missingTtl()) : read(bytes);

  restored.forEachEntry((keyGroup, entry) => {
    const keyId = bytesToId(entry.key);
    const id = registered.namespaced ? cellId(keyId, bytesToId(entry.namespace)) : keyId;
    const value = wrap(entry.value, entry.ttlTimestamp);
    if (registered.kind === 'list') {
      const list = table.get(keyGroup, id) as ListContainer | undefined;
      if (list === undefined) table.put(keyGroup, id, new ListContainer(table.version, [value]));
      else list.elements.push(value);
    } else if (registered.kind === 'map') {
      if (entry.userKey === undefined || mapKeySerializer === undefined) {
        throw new CorruptCheckpointError(source, `an entry of map state '${name}' lacks its map key`);
      }
      let map = table.get(keyGroup, id) as MapContainer | undefined;
      if (map === undefined) {
        map = new MapContainer(table.version);
        table.put(keyGroup, id, map);
      }
      map.entries.set(bytesToId(entry.userKey), [mapKeySerializer.deserialize(entry.userKey), value]);
    } else {
      table.put(keyGroup, id, value);
    }
  }, keyGroup);
}
