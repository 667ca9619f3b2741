import {
  type CheckpointingKeyedStateBackend,
  type CheckpointStorage,
  computeKeyGroupRangeForOperatorIndex,
  type RestoreSource,
  Serializers,
} from '@statebackend/aws-base';
import { uniqueName } from '../isolation/unique-name.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import type { ConformanceHarness } from './conformance-harness.js';

/** The number of key groups every checkpoint case uses. */
export const MAX_PARALLELISM = 128;

/** Options of {@link CheckpointCase.backend}. */
export interface CaseBackendOptions {
  /** Operator `index` of `parallelism`; default the only operator of parallelism 1. */
  readonly operator?: readonly [index: number, parallelism: number];
  readonly restoreFrom?: RestoreSource;
  /** The storage to use instead of the case's own (e.g. one that fails on purpose). */
  readonly storage?: CheckpointStorage;
  readonly incremental?: boolean;
  readonly retainedCheckpoints?: number;
}

/**
 * One checkpoint case: a job and operator of its own (so a location of its own), the backends
 * it created (all disposed at the end, also after a failure) and the harness clock.
 */
export class CheckpointCase {
  readonly jobId = uniqueName('checkpoint-job');
  readonly operatorId = uniqueName('checkpoint-op');
  readonly harness: ConformanceHarness;
  readonly #options: CheckpointConformanceOptions;
  readonly #backends: CheckpointingKeyedStateBackend<string>[] = [];

  constructor(options: CheckpointConformanceOptions, harness: ConformanceHarness) {
    this.#options = options;
    this.harness = harness;
  }

  /** The storage of this case's location (a new client of the same place each call). */
  storage(): Promise<CheckpointStorage> {
    return Promise.resolve(this.#options.storage({ jobId: this.jobId, operatorId: this.operatorId }));
  }

  /** A backend with string keys for one operator of this case's job. */
  async backend(options: CaseBackendOptions = {}): Promise<CheckpointingKeyedStateBackend<string>> {
    const [index, parallelism] = options.operator ?? [0, 1];
    const backend = await this.#options.create(
      {
        jobId: this.jobId,
        operatorId: this.operatorId,
        keyGroupRange: computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, index),
        maxParallelism: MAX_PARALLELISM,
        keySerializer: Serializers.string,
        clock: this.harness.clock,
      },
      {
        storage: options.storage ?? (await this.storage()),
        ...(options.restoreFrom === undefined ? {} : { restoreFrom: options.restoreFrom }),
        ...(options.incremental === undefined ? {} : { incremental: options.incremental }),
        ...(options.retainedCheckpoints === undefined
          ? {}
          : { retainedCheckpoints: options.retainedCheckpoints }),
      },
    );
    this.#backends.push(backend);
    return backend;
  }

  /** Disposes a backend now (a crashed or stopped instance). */
  async stop(backend: CheckpointingKeyedStateBackend<string>): Promise<void> {
    const at = this.#backends.indexOf(backend);
    if (at >= 0) this.#backends.splice(at, 1);
    await backend.dispose();
  }

  async disposeAll(): Promise<void> {
    for (const backend of this.#backends.splice(0)) await backend.dispose().catch(() => undefined);
  }
}

/** Wraps a case body so that its backends are disposed however it ends. */
export function checkpointCase(
  options: CheckpointConformanceOptions,
  body: (c: CheckpointCase) => Promise<void>,
): (harness: ConformanceHarness) => Promise<void> {
  return async (harness) => {
    const c = new CheckpointCase(options, harness);
    try {
      await body(c);
    } finally {
      await c.disposeAll();
    }
  };
}
