import { concurrencyCases } from './concurrency.cases.js';
import { ConformanceHarness } from './conformance-harness.js';
import type { ConformanceCaseGroup, KeyedStateBackendConformanceOptions } from './conformance-options.js';
import { errorCases } from './errors.cases.js';
import { conformanceJestApi } from './jest-api.js';
import { keysCases } from './keys.cases.js';
import { limitsCases } from './limits.cases.js';
import { listStateCases } from './list-state.cases.js';
import { mapStateCases } from './map-state.cases.js';
import { namespaceCases } from './namespace.cases.js';
import { reducingAggregatingCases } from './reducing-aggregating.cases.js';
import { registrationCases } from './registration.cases.js';
import { ttlCases } from './ttl.cases.js';
import { valueStateCases } from './value-state.cases.js';

/** The built-in case groups, in the order they run. */
export const keyedStateConformanceCases: readonly ConformanceCaseGroup[] = Object.freeze([
  valueStateCases,
  listStateCases,
  mapStateCases,
  reducingAggregatingCases,
  namespaceCases,
  ttlCases,
  concurrencyCases,
  keysCases,
  registrationCases,
  errorCases,
  limitsCases,
]);

/**
 * Declares the keyed-state conformance suite for one backend: every state kind and operation,
 * defaults, namespaces and merging, TTL with a moving clock, concurrent keys with interleaved
 * awaits, `keys()`, registration errors, typed errors and values at the backend's size limits.
 * Every backend (heap, DynamoDB, S3) runs the same cases; each case gets fresh backends, disposed
 * when it ends.
 *
 * @example
 * ```ts
 * describeKeyedStateBackendConformance('heap', {
 *   create: (parameters) => new HeapStateBackend().createKeyedStateBackend(parameters),
 * });
 * ```
 */
export function describeKeyedStateBackendConformance(
  name: string,
  options: KeyedStateBackendConformanceOptions,
): void {
  const { describe, it } = conformanceJestApi();
  const groups = [...keyedStateConformanceCases, ...(options.extraCases ?? [])];
  describe(`keyed state backend conformance: ${name}`, () => {
    for (const group of groups) {
      describe(group.name, () => {
        group.define((caseName, body) => {
          it(
            caseName,
            async () => {
              const harness = new ConformanceHarness(options);
              try {
                await body(harness);
              } finally {
                await harness.disposeAll();
              }
            },
            options.timeoutMs,
          );
        });
      });
    }
  });
}
