import type { Configuration } from '../config/configuration.js';
import { suggestKey } from '../config/edit-distance.js';
import { ConfigurationError } from '../errors.js';
import type { CheckpointingStateBackend } from './checkpointing-state-backend.js';
import type { StateBackendContext, StateBackendFactory } from './state-backend-factory.js';
import { StateBackendOptions } from './state-backend-options.js';

/**
 * State backend factories by `state.backend.type`. The default registry has `heap`; an
 * application registers the backend packages it uses, explicitly (`registerS3StateBackend()`,
 * `registerDynamoDbStateBackend()`, or `registry.register(new DynamoDbStateBackendFactory())`):
 * no package registers itself on import, so a bundler that drops unused modules keeps what the
 * application registered.
 *
 * @example
 * ```ts
 * const backend = await defaultStateBackendRegistry.create(
 *   Configuration.fromObject({ 'state.backend.type': 'heap' }),
 * );
 * ```
 */
export class StateBackendRegistry {
  readonly #factories = new Map<string, StateBackendFactory>();

  /** Adds `factory` under its type (lower case), replacing any factory of that type. */
  register(factory: StateBackendFactory): this {
    this.#factories.set(factory.type.toLowerCase(), factory);
    return this;
  }

  /** Removes the factory of `type`; false when there was none. */
  unregister(type: string): boolean {
    return this.#factories.delete(type.toLowerCase());
  }

  /** The registered types, sorted. */
  knownTypes(): string[] {
    return [...this.#factories.keys()].sort();
  }

  get(type: string): StateBackendFactory | undefined {
    return this.#factories.get(type.toLowerCase());
  }

  /**
   * The backend `state.backend.type` names (default `heap`), created from `configuration` by its
   * factory. An unknown type is a `ConfigurationError` naming the known types.
   */
  async create(
    configuration: Configuration,
    context?: StateBackendContext,
  ): Promise<CheckpointingStateBackend> {
    const type = configuration.get(StateBackendOptions.TYPE).trim();
    const given = context?.factories?.find((f) => f.type.toLowerCase() === type.toLowerCase());
    const factory = given ?? this.get(type);
    if (factory === undefined) {
      const known = [
        ...new Set([...this.knownTypes(), ...(context?.factories ?? []).map((f) => f.type.toLowerCase())]),
      ].sort();
      const suggestion = suggestKey(type.toLowerCase(), known);
      throw new ConfigurationError([
        {
          key: StateBackendOptions.TYPE.key,
          received: `'${type}'`,
          expected: `one of ${known.join(', ')} (register a backend package's factory first, e.g. registerS3StateBackend() from @statebackend/aws-s3, or pass it in \`factories\`)`,
          ...(suggestion === undefined ? {} : { suggestion }),
        },
      ]);
    }
    return factory.createFromConfig(configuration, context);
  }
}
