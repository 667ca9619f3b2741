import type { Configuration } from '../config/configuration.js';
import { ClientManagerClosedError } from '../errors.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import { type BuildAwsClientConfigOptions, buildAwsClientConfig } from './client-config.js';

/** What the manager needs of an AWS SDK v3 client: `destroy()`. */
export interface DestroyableClient {
  destroy(): void;
}

/** An AWS SDK v3 client class, e.g. `DynamoDBClient`, `S3Client`, `CloudWatchClient`. */
export type AwsClientConstructor<C extends DestroyableClient = DestroyableClient> = new (config: never) => C;

/** The config type a client class's constructor takes, e.g. `DynamoDBClientConfig`. */
export type ClientConfigOf<Ctor extends AwsClientConstructor> = Exclude<
  ConstructorParameters<Ctor>[number],
  undefined
>;

/** Use the caller's own client. The manager never destroys it. */
export interface WithClient<C> {
  client: C;
  clientConfig?: never;
}

/** Have the manager create the client, with extra config over the one built from configuration. */
export interface WithConfig<K> {
  client?: never;
  clientConfig?: K;
}

/** Either the caller's client or extra client config, never both. */
export type ClientSource<C, K> = WithClient<C> | WithConfig<K>;

interface CreatedClient {
  readonly clientConfig: object | undefined;
  readonly client: DestroyableClient;
}

export type AwsClientManagerOptions = BuildAwsClientConfigOptions;

/**
 * Creates AWS SDK v3 clients from a {@link Configuration}, shares them, and destroys the ones it
 * created on {@link close}. Generic over client classes; this package imports none of them.
 *
 * ```ts
 * const clients = new AwsClientManager(configuration, { userAgentSuffix: 'statebackend-aws-dynamodb/0.1.0' });
 * const dynamo = clients.getOrCreate(DynamoDBClient);                      // created, shared, destroyed on close
 * const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: true } });
 * const own = clients.getOrCreate(CloudWatchClient, { client: myClient });  // returned as is, never destroyed
 * clients.close();
 * ```
 *
 * Configuration is validated when a client is first built (a missing `aws.region` is a
 * `ConfigurationError` then), so a manager only ever handed the caller's clients needs no AWS
 * settings at all.
 */
export class AwsClientManager {
  readonly #configuration: Configuration;
  readonly #options: AwsClientManagerOptions;
  readonly #logger: Logger;
  readonly #created = new Map<AwsClientConstructor, CreatedClient[]>();
  #closed = false;

  constructor(configuration: Configuration, options: AwsClientManagerOptions = {}) {
    this.#configuration = configuration;
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
  }

  /**
   * The client for `ctor`:
   * - `{ client }`: that client, as is. It stays the caller's: `close()` leaves it alone.
   * - `{ clientConfig }` or nothing: a client created from the configuration (see
   *   {@link buildAwsClientConfig}) with `clientConfig` laid over it. Created once per
   *   constructor and `clientConfig` object, then shared; destroyed by `close()`.
   */
  getOrCreate<Ctor extends AwsClientConstructor>(
    ctor: Ctor,
    source?: ClientSource<InstanceType<Ctor>, ClientConfigOf<Ctor>>,
  ): InstanceType<Ctor> {
    if (this.#closed) throw new ClientManagerClosedError(`get a ${ctor.name}`);
    if (source?.client !== undefined) return source.client;
    const clientConfig = source?.clientConfig as object | undefined;
    const existing = this.#created.get(ctor) ?? [];
    const cached = existing.find((entry) => entry.clientConfig === clientConfig);
    if (cached !== undefined) return cached.client as InstanceType<Ctor>;

    const base = buildAwsClientConfig(this.#configuration, this.#options);
    if (clientConfig !== undefined && 'requestHandler' in clientConfig) {
      base.requestHandler.destroy(); // replaced by the caller's: release our agents now
    }
    const create = ctor as unknown as new (config: object) => InstanceType<Ctor>;
    const client = new create({ ...base, ...clientConfig });
    existing.push({ clientConfig, client });
    this.#created.set(ctor, existing);
    this.#logger.debug(`Created ${ctor.name}`, { region: base.region, endpoint: base.endpoint });
    return client;
  }

  /** How many clients this manager created and still owns. */
  get createdCount(): number {
    let count = 0;
    for (const entries of this.#created.values()) count += entries.length;
    return count;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Destroys every client this manager created (closing their connections) and never one the
   * caller provided. Idempotent; a client whose `destroy()` throws is logged and skipped.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [ctor, entries] of this.#created) {
      for (const { client } of entries) {
        try {
          client.destroy();
        } catch (error) {
          this.#logger.warn(`Destroying ${ctor.name} failed`, { error });
        }
      }
    }
    this.#created.clear();
  }
}
