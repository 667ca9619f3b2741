import { TestkitError } from '../errors.js';

/** The jest globals the conformance suite registers its cases with. */
export interface ConformanceJestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeout?: number): void;
}

/**
 * jest's `describe` and `it`, read from the global scope when the suite is declared: the testkit
 * is compiled without jest's types and must not register anything when merely imported.
 * Assertions use `node:assert`, which jest reports like its own.
 */
export function conformanceJestApi(): ConformanceJestApi {
  const scope: Record<string, unknown> = globalThis;
  const { describe, it } = scope;
  if (typeof describe !== 'function' || typeof it !== 'function') {
    throw new TestkitError(
      'describeKeyedStateBackendConformance must be called while jest collects a test file (describe/it are missing).',
    );
  }
  return {
    describe: (name, body) => {
      Reflect.apply(describe, undefined, [name, body]);
    },
    it: (name, body, timeout) => {
      Reflect.apply(it, undefined, timeout === undefined ? [name, body] : [name, body, timeout]);
    },
  };
}
