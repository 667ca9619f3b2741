import type { SerializerRegistry, SerializerRole, TypeSerializer } from '@statebackend/aws-base';
import type { CheckpointedState, RawEntry } from '@statebackend/aws-base/spi';
import { CliError } from '../errors.js';
import { type DumpJson, toJson } from './to-json.js';

/** The role of the serializer of a state kind's values. */
const VALUE_ROLE: Readonly<Record<string, SerializerRole>> = {
  value: 'value',
  reducing: 'value',
  aggregating: 'value',
  list: 'element',
  map: 'mapValue',
};

/**
 * Decodes the raw entries of one checkpointed state with the serializers recorded for it,
 * resolved once from the registry.
 */
export class StateDecoder {
  readonly state: CheckpointedState;
  readonly key: TypeSerializer<unknown>;
  readonly #namespace: TypeSerializer<unknown> | undefined;
  readonly #mapKey: TypeSerializer<unknown> | undefined;
  readonly #value: TypeSerializer<unknown>;

  constructor(state: CheckpointedState, registry: SerializerRegistry) {
    this.state = state;
    const resolve = (role: SerializerRole): TypeSerializer<unknown> | undefined => {
      const snapshot = state.serializers[role];
      if (snapshot === undefined) return undefined;
      try {
        return registry.resolve(snapshot);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new CliError(`Cannot decode state '${state.name}': ${reason}`, { cause: error });
      }
    };
    const valueRole = VALUE_ROLE[state.kind] ?? 'value';
    const key = resolve('key');
    const value = resolve(valueRole);
    if (key === undefined || value === undefined) {
      throw new CliError(
        `Cannot decode state '${state.name}': the checkpoint records no key or ${valueRole} serializer.`,
      );
    }
    this.key = key;
    this.#value = value;
    this.#namespace = resolve('namespace');
    this.#mapKey = resolve('mapKey');
  }

  /** One entry as a JSON line's fields. */
  decode(keyGroup: number, entry: RawEntry): { [field: string]: DumpJson } {
    const line: { [field: string]: DumpJson } = {
      state: this.state.name,
      kind: this.state.kind,
      keyGroup,
      key: toJson(this.key.deserialize(entry.key)),
    };
    if (entry.namespace.length > 0 && this.#namespace !== undefined) {
      line.namespace = toJson(this.#namespace.deserialize(entry.namespace));
    }
    if (entry.userKey !== undefined && this.#mapKey !== undefined) {
      line.mapKey = toJson(this.#mapKey.deserialize(entry.userKey));
    }
    line.value = toJson(this.#value.deserialize(entry.value));
    if (entry.ttlTimestamp !== undefined) line.ttlTimestamp = entry.ttlTimestamp;
    return line;
  }
}
