import { CleanupError } from '../errors.js';
import { jestGlobals } from '../jest/jest-globals.js';

type Action = () => Promise<unknown> | unknown;

/**
 * Undo actions for what a test file created, run last-in first-out. Every action runs even when
 * an earlier one fails; the failures are reported together afterwards.
 *
 * @example
 * const cleanup = cleanupAfterAll();
 * const table = uniqueName('orders');
 * await dynamo.send(new CreateTableCommand({ TableName: table, ... }));
 * cleanup.add(`table ${table}`, () => deleteTableIfExists(dynamo, table));
 */
export class Cleanup {
  readonly #actions: { readonly description: string; readonly action: Action }[] = [];

  /** Registers an undo action; `description` names the resource in error reports. */
  add(description: string, action: Action): void {
    this.#actions.push({ description, action });
  }

  /** How many actions wait to run. */
  get size(): number {
    return this.#actions.length;
  }

  /**
   * Runs every registered action, newest first, and forgets them.
   *
   * @throws CleanupError listing each action that failed.
   */
  async run(): Promise<void> {
    const failures: { description: string; error: unknown }[] = [];
    for (let next = this.#actions.pop(); next !== undefined; next = this.#actions.pop()) {
      try {
        await next.action();
      } catch (error) {
        failures.push({ description: next.description, error });
      }
    }
    if (failures.length > 0) throw new CleanupError(failures);
  }
}

/**
 * A {@link Cleanup} that jest runs in `afterAll` of the enclosing scope (the file, or the
 * `describe` it is called in), so resources are removed however the tests ended.
 */
export function cleanupAfterAll(timeoutMs = 120_000): Cleanup {
  const cleanup = new Cleanup();
  jestGlobals('cleanupAfterAll').afterAll(() => cleanup.run(), timeoutMs);
  return cleanup;
}
