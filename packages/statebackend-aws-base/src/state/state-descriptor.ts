import { InvalidStateDescriptorError } from '../errors.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import type { State, StateKind } from './state.js';
import type { StateTtlConfig } from './ttl/state-ttl-config.js';

const KIND_LABELS: Readonly<Record<StateKind, string>> = {
  value: 'Value',
  list: 'List',
  map: 'Map',
  reducing: 'Reducing',
  aggregating: 'Aggregating',
};

/**
 * Names a keyed state and says how to store it: its kind, its serializers and, optionally, a
 * time-to-live. A backend registers the state on first use of the descriptor; the same name must
 * always come with the same kind and compatible serializers.
 *
 * @typeParam S - the state object the descriptor creates, e.g. `ValueState<number>`.
 * @typeParam T - the type the stored-value serializer handles (the value, the list element, the
 *   map value or the accumulator).
 */
export abstract class StateDescriptor<S extends State, T> {
  /** The kind of state this descriptor creates. */
  abstract readonly kind: StateKind;
  /** The state's name, unique within a keyed backend. */
  readonly name: string;
  /**
   * The serializer of what is stored per key: the value (value and reducing state), each list
   * element, each map value, or the accumulator (aggregating state).
   */
  readonly serializer: TypeSerializer<T>;
  #ttlConfig: StateTtlConfig | undefined;

  /** Only the type-level link to the state object; never set at runtime. */
  declare readonly __stateType?: S;

  protected constructor(name: string, serializer: TypeSerializer<T>) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidStateDescriptorError(
        String(name),
        `the name must be a non-empty string, received ${typeof name === 'string' ? 'an empty string' : typeof name}`,
      );
    }
    if (serializer === null || typeof serializer !== 'object' || typeof serializer.serialize !== 'function') {
      throw new InvalidStateDescriptorError(name, 'the serializer is not a TypeSerializer');
    }
    this.name = name;
    this.serializer = serializer;
  }

  /** The time-to-live of the state's values, if enabled. */
  get ttlConfig(): StateTtlConfig | undefined {
    return this.#ttlConfig;
  }

  /**
   * Makes the state's values expire, as Flink's `enableTimeToLive`. Call it before the descriptor
   * is first used; a backend that already registered the state with another TTL rejects it.
   *
   * @example
   * ```ts
   * const lastSeen = new ValueStateDescriptor('last-seen', Serializers.number);
   * lastSeen.enableTimeToLive(StateTtlConfig.newBuilder(24 * 3600_000).build());
   * ```
   */
  enableTimeToLive(ttlConfig: StateTtlConfig): this {
    this.#ttlConfig = ttlConfig;
    return this;
  }

  toString(): string {
    return `${KIND_LABELS[this.kind]}StateDescriptor('${this.name}')`;
  }
}
