import type { JsonObject } from '../checkpoint/json.js';
import type { CheckpointedState } from '../checkpoint/metadata/checkpointed-state.js';
import type { SerializerRole } from '../errors.js';
import type { SerializerSnapshot, TypeSerializer } from '../serialization/type-serializer.js';
import type { StateKind } from '../state/state.js';
import type { StateTtlConfig } from '../state/ttl/state-ttl-config.js';
import type { RegisteredKeyedState } from './registered-state.js';

/** The role of a state's main serializer, by kind. */
export const VALUE_ROLE: Readonly<Record<StateKind, SerializerRole>> = {
  value: 'value',
  reducing: 'value',
  aggregating: 'value',
  list: 'element',
  map: 'mapValue',
};

/** What a checkpoint records about a registered state. */
export function checkpointedStateOf(
  state: RegisteredKeyedState,
  keySerializer: TypeSerializer<unknown>,
): CheckpointedState {
  const serializers: Partial<Record<SerializerRole, SerializerSnapshot>> = {
    key: keySerializer.snapshot(),
    namespace: state.namespaceSerializer.snapshot(),
    [VALUE_ROLE[state.kind]]: state.serializer.snapshot(),
  };
  if (state.userKeySerializer !== undefined) serializers.mapKey = state.userKeySerializer.snapshot();
  const base = { name: state.name, kind: state.kind, serializers };
  return state.ttl === undefined ? base : { ...base, ttl: ttlConfigToJson(state.ttl) };
}

/** A TTL configuration as checkpoint metadata stores it. */
export function ttlConfigToJson(ttl: StateTtlConfig): JsonObject {
  const json: Record<string, JsonObject[string]> = {
    ttl: ttl.ttl,
    updateType: ttl.updateType,
    stateVisibility: ttl.stateVisibility,
    cleanupFullSnapshot: ttl.cleanupFullSnapshot,
  };
  if (ttl.incrementalCleanup !== undefined) {
    json.incrementalCleanup = {
      cleanupSize: ttl.incrementalCleanup.cleanupSize,
      runCleanupForEveryRecord: ttl.incrementalCleanup.runCleanupForEveryRecord,
    };
  }
  return json;
}
