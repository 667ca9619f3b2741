import { bytesToId, cellId, idAt } from '../../backend/byte-id.js';
import { checkRestoredState } from '../../backend/check-restored-state.js';
import type { RegisteredKeyedState } from '../../backend/registered-state.js';
import { decodeValueCellsDirect, decodeVerifiedBlock } from '../../checkpoint/format/block-decoder.js';
import type { RestoredStateEntries } from '../../checkpoint/restore/restored-keyed-state.js';
import { CorruptCheckpointError } from '../../errors.js';
import { directDecodingOf } from '../../serialization/direct-decoding.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import { ttlValue } from '../../state/ttl/ttl-value.js';
import { ListContainer, MapContainer } from '../containers.js';
import type { StateTable } from '../state-table.js';

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

  const direct =
    registered.kind === 'value' &&
    !registered.namespaced &&
    !withTtl &&
    valueCompatibility.kind === 'compatible-as-is'
      ? directDecodingOf(registered.serializer)
      : undefined;
  if (direct !== undefined) {
    // Plain cells of a built-in value type: straight from the block's bytes, no view per field.
    restored.forEachBlock((block, stateIndex) => {
      const { bytes, keyGroup: group } = block;
      const putCell = (keyStart: number, keyLength: number, valueStart: number, valueLength: number) =>
        table.put(group, idAt(bytes, keyStart, keyLength), direct.get(bytes, valueStart, valueLength));
      if (decodeValueCellsDirect(bytes, block.entries, stateIndex, putCell)) return;
      decodeVerifiedBlock(bytes, block.entries, group, (_, entry) => {
        if (entry.stateIndex === stateIndex) table.put(group, bytesToId(entry.key), read(entry.value));
      });
    }, keyGroup);
    return;
  }

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
