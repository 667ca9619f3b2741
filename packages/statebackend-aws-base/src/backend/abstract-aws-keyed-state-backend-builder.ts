import { StateBackendError } from '../errors.js';
import type { AwsKeyedStateBackendBase } from './aws-keyed-state-backend-base.js';
import {
  type KeyedStateBackendParameters,
  validateKeyedStateBackendParameters,
} from './keyed-state-backend-parameters.js';

/**
 * Builds one keyed backend: validates the parameters, creates the backend, then restores it from
 * whatever it is given to restore from (checkpoints, savepoints) before anyone can use it. A
 * backend whose restore fails is disposed and the error is thrown.
 *
 * @typeParam K - the key type.
 * @typeParam B - the keyed backend built.
 * @typeParam R - what a restore reads from (a checkpoint handle); backends that cannot restore
 *   keep `never`.
 */
export abstract class AbstractAwsKeyedStateBackendBuilder<
  K,
  B extends AwsKeyedStateBackendBase<K>,
  R = never,
> {
  protected readonly parameters: KeyedStateBackendParameters<K>;
  /** What to restore from, oldest first; empty for a fresh start. */
  protected readonly restoreFrom: readonly R[];

  constructor(parameters: KeyedStateBackendParameters<K>, restoreFrom: readonly R[] = []) {
    validateKeyedStateBackendParameters(parameters);
    this.parameters = parameters;
    this.restoreFrom = restoreFrom;
  }

  async build(): Promise<B> {
    const backend = await this.createBackend();
    if (this.restoreFrom.length === 0) return backend;
    try {
      await this.restore(backend, this.restoreFrom);
    } catch (error) {
      await backend.dispose();
      throw error;
    }
    return backend;
  }

  /** Creates the empty keyed backend. */
  protected abstract createBackend(): B | Promise<B>;

  /**
   * Loads the state of `sources` into `backend`, keeping only the key groups of its range (the
   * hook for restore and rescaling). A builder that supports restore overrides it.
   */
  protected async restore(backend: B, sources: readonly R[]): Promise<void> {
    throw new StateBackendError(
      `The ${this.constructor.name} cannot restore state (${sources.length} source(s) given) into operator ` +
        `'${backend.operatorId}'; start without restore sources or use a backend that supports restore.`,
    );
  }
}
