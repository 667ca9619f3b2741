import {
  type KeyedStateBackend,
  KeyGroupRange,
  Serializers,
  type StateLimits,
  type TypeSerializer,
} from '@statebackend/aws-base';
import { uniqueName } from '../isolation/unique-name.js';
import type { KeyedStateBackendConformanceOptions } from './conformance-options.js';
import { ManualClock } from './manual-clock.js';

/** The key groups and key serializer of a backend a case asks for. */
export interface ConformanceBackendSpec<K> {
  readonly keySerializer: TypeSerializer<K>;
  /** Default: all of `[0, maxParallelism)`. */
  readonly keyGroupRange?: KeyGroupRange;
  /** Default 128. */
  readonly maxParallelism?: number;
}

/**
 * What one conformance case works with: a manual TTL clock, and backends created for the case
 * (each with unique job and operator ids) that are disposed when it ends.
 */
export class ConformanceHarness {
  /** The TTL clock of every backend of this case; starts at 1,000,000. */
  readonly clock = new ManualClock();
  readonly #options: KeyedStateBackendConformanceOptions;
  readonly #created: KeyedStateBackend<unknown>[] = [];

  constructor(options: KeyedStateBackendConformanceOptions) {
    this.#options = options;
  }

  /** A fresh backend with string keys over key groups 0-127 of 128. */
  backend(): Promise<KeyedStateBackend<string>> {
    return this.backendFor({ keySerializer: Serializers.string });
  }

  /** A fresh backend with the given key serializer and key groups. */
  async backendFor<K>(spec: ConformanceBackendSpec<K>): Promise<KeyedStateBackend<K>> {
    const maxParallelism = spec.maxParallelism ?? 128;
    const backend = await this.#options.create<K>({
      jobId: uniqueName('conformance'),
      operatorId: uniqueName('operator'),
      keyGroupRange: spec.keyGroupRange ?? KeyGroupRange.of(0, maxParallelism - 1),
      maxParallelism,
      keySerializer: spec.keySerializer,
      clock: this.clock,
    });
    this.#created.push(backend as KeyedStateBackend<unknown>);
    return backend;
  }

  /** The limits the case tests at: the suite's option, else the backend's own. */
  limitsOf(backend: KeyedStateBackend<unknown>): StateLimits {
    return this.#options.limits ?? backend.limits;
  }

  /** Disposes every backend of the case, even after a failure. */
  async disposeAll(): Promise<void> {
    const dispose = this.#options.dispose ?? ((backend: KeyedStateBackend<unknown>) => backend.dispose());
    const errors: unknown[] = [];
    for (const backend of this.#created.splice(0)) {
      try {
        await dispose(backend);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
