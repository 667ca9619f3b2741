import { AwsClientManager } from '../aws/client-manager.js';
import type { Configuration } from '../config/configuration.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import type { AbstractAwsKeyedStateBackendBuilder } from './abstract-aws-keyed-state-backend-builder.js';
import type { AwsKeyedStateBackendBase } from './aws-keyed-state-backend-base.js';
import type { KeyedStateBackendParameters } from './keyed-state-backend-parameters.js';
import type { StateBackend } from './state-backend.js';

/** Options of an {@link AbstractAwsStateBackend}: share a client manager, or let it create one. */
export interface AwsStateBackendOptions {
  /**
   * The AWS clients to use. When given, the caller owns it and `close()` leaves it open;
   * otherwise the backend creates one from its configuration and closes it.
   */
  readonly clients?: AwsClientManager;
  readonly logger?: Logger;
}

/**
 * The base of backends that keep state on AWS (DynamoDB, S3), as the Java module's
 * `AbstractAwsStateBackend`: it holds the configuration and the AWS clients, and creates keyed
 * backends through a builder. Clients are created lazily on first use, so configuration errors
 * surface before any AWS call, and only what the backend created is destroyed on `close()`.
 */
export abstract class AbstractAwsStateBackend implements StateBackend {
  abstract readonly type: string;
  readonly configuration: Configuration;
  readonly clients: AwsClientManager;
  protected readonly logger: Logger;
  readonly #ownsClients: boolean;
  #closed = false;

  protected constructor(configuration: Configuration, options: AwsStateBackendOptions = {}) {
    this.configuration = configuration;
    this.logger = options.logger ?? noopLogger;
    this.#ownsClients = options.clients === undefined;
    this.clients = options.clients ?? new AwsClientManager(configuration, { logger: this.logger });
  }

  async createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): Promise<AwsKeyedStateBackendBase<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.logger } : parameters;
    return this.createKeyedStateBackendBuilder(withLogger).build();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClients) this.clients.close();
  }

  /** The builder of one keyed backend; a backend that restores passes what to restore from. */
  protected abstract createKeyedStateBackendBuilder<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): AbstractAwsKeyedStateBackendBuilder<K, AwsKeyedStateBackendBase<K>, unknown>;
}
