import type { SerializerRole } from '../../errors.js';
import type { SerializerSnapshot } from '../../serialization/type-serializer.js';
import type { JsonFields } from '../format/json-fields.js';
import type { JsonObject, JsonValue } from '../json.js';

const ROLES: readonly SerializerRole[] = ['key', 'namespace', 'value', 'mapKey', 'mapValue', 'element'];

/**
 * What a checkpoint or savepoint records about one state: enough to check, on restore, that the
 * state registered then reads what was stored.
 */
export interface CheckpointedState {
  readonly name: string;
  /** `value`, `list`, `map`, `reducing` or `aggregating`. */
  readonly kind: string;
  /** The serializer snapshot of every role the state uses. */
  readonly serializers: Readonly<Partial<Record<SerializerRole, SerializerSnapshot>>>;
  /** The state's TTL configuration as JSON, absent when the state has no TTL. */
  readonly ttl?: JsonObject;
}

export function stateToJson(state: CheckpointedState): JsonValue {
  const serializers: Record<string, JsonValue> = {};
  for (const role of ROLES) {
    const snapshot = state.serializers[role];
    if (snapshot !== undefined) serializers[role] = snapshot as unknown as JsonValue;
  }
  const json: Record<string, JsonValue> = { name: state.name, kind: state.kind, serializers };
  if (state.ttl !== undefined) json.ttl = state.ttl;
  return json;
}

export function stateFromJson(fields: JsonFields): CheckpointedState {
  const serializerFields = fields.object_('serializers');
  const serializers: Partial<Record<SerializerRole, SerializerSnapshot>> = {};
  for (const role of ROLES) {
    if (serializerFields.has(role)) serializers[role] = serializerFields.serializerSnapshot(role);
  }
  const base = { name: fields.string('name'), kind: fields.string('kind'), serializers };
  return fields.has('ttl') ? { ...base, ttl: fields.object_('ttl').value } : base;
}
