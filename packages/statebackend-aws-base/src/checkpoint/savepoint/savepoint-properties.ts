import { CorruptSavepointError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { JsonFields } from '../format/json-fields.js';
import type { JsonValue } from '../json.js';
import { type CheckpointedState, stateFromJson, stateToJson } from '../metadata/checkpointed-state.js';

/** The value of the `format` property that marks a canonical savepoint. */
export const SAVEPOINT_FORMAT = 'statebackend-savepoint';

/** What a canonical savepoint records besides its entries (stored as JSON in its index). */
export interface SavepointProperties {
  /** When it was written, milliseconds since the epoch. */
  readonly createdAt: number;
  readonly maxParallelism: number;
  /** The key groups it holds. */
  readonly keyGroupRange: KeyGroupRange;
  /** The states, in the order entries refer to them. */
  readonly states: readonly CheckpointedState[];
  /** The caller's metadata, e.g. a source position. */
  readonly userMetadata?: JsonValue;
  /** Free-form provenance: the backend, job or checkpoint it was taken from. */
  readonly origin?: { readonly [key: string]: JsonValue };
}

export function savepointPropertiesToJson(properties: SavepointProperties): JsonValue {
  const json: Record<string, JsonValue> = {
    format: SAVEPOINT_FORMAT,
    createdAt: properties.createdAt,
    maxParallelism: properties.maxParallelism,
    keyGroupRange: properties.keyGroupRange.toJSON(),
    states: properties.states.map(stateToJson),
  };
  if (properties.userMetadata !== undefined) json.userMetadata = properties.userMetadata;
  if (properties.origin !== undefined) json.origin = properties.origin;
  return json;
}

export function savepointPropertiesFromJson(file: string, json: JsonValue | undefined): SavepointProperties {
  const fail = (reason: string): never => {
    throw new CorruptSavepointError(file, reason);
  };
  const fields = new JsonFields(json, '', fail);
  if (fields.string('format') !== SAVEPOINT_FORMAT) fail(`its format property is not '${SAVEPOINT_FORMAT}'`);
  const keyGroupRange = fields.keyGroupRange('keyGroupRange');
  const maxParallelism = fields.integer('maxParallelism');
  if (maxParallelism < 1 || keyGroupRange.endKeyGroup >= maxParallelism) {
    fail(`keyGroupRange ${keyGroupRange} does not fit maxParallelism ${maxParallelism}`);
  }
  const properties: SavepointProperties = {
    createdAt: fields.integer('createdAt'),
    maxParallelism,
    keyGroupRange,
    states: fields.objects('states').map(stateFromJson),
  };
  const userMetadata = fields.raw('userMetadata');
  const origin = fields.has('origin') ? fields.object_('origin').value : undefined;
  return {
    ...properties,
    ...(userMetadata === undefined ? {} : { userMetadata }),
    ...(origin === undefined ? {} : { origin }),
  };
}
