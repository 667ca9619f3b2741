import { TestkitError } from '../errors.js';

type Hook = () => unknown;

/** The jest globals the testkit's suite helpers call. */
export interface JestGlobals {
  describe(name: string, body: () => void): void;
  afterAll(hook: Hook, timeout?: number): void;
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

/**
 * jest's `describe` and `afterAll`, read from the global scope at call time: the testkit is an
 * ordinary library (its sources are not compiled with jest's types) and must not register
 * anything when merely imported.
 *
 * @throws TestkitError when called outside a jest test file.
 */
export function jestGlobals(caller: string): JestGlobals {
  const scope: Record<string, unknown> = globalThis;
  const { describe, afterAll } = scope;
  if (!isFunction(describe) || !isFunction(afterAll)) {
    throw new TestkitError(
      `${caller} must be called while jest collects a test file (describe/afterAll are missing).`,
    );
  }
  return {
    describe: (name, body) => {
      Reflect.apply(describe, undefined, [name, body]);
    },
    afterAll: (hook, timeout) => {
      Reflect.apply(afterAll, undefined, timeout === undefined ? [hook] : [hook, timeout]);
    },
  };
}
