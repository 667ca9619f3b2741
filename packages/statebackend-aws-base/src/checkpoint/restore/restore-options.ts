import { ConfigurationError } from '../../errors.js';

/** How a restore loads the state: all of it before the backend is handed out, or on demand. */
export type RestoreMode = 'eager' | 'lazy';
export const RESTORE_MODES: readonly RestoreMode[] = ['eager', 'lazy'];

/**
 * How a keyed backend restores (see `CheckpointingOptions.restore`).
 *
 * - `lazy` (the default): the backend is handed out once the commit records and each data file's
 *   index are read. Key groups load in the background, `concurrency` reads at a time and at most
 *   `maxBytesInFlight` bytes read and not yet loaded, and a record whose key group is not loaded
 *   yet waits for that key group only (it is read at once, ahead of the background). A key group
 *   that cannot be read (a corrupt block, a missing file) fails its records and every later
 *   snapshot and savepoint with the typed error, not the build; `restored.entries` counts the
 *   entries the data files' indexes list (before delta chains are resolved), and `numEntries()`
 *   those loaded so far (`whenRestored()` resolves once all are).
 * - `eager`: every key group is read and decoded before the backend is handed out; a corrupt
 *   block fails the build, and `restored.entries` counts resolved entries.
 *
 * Savepoints and other sources without an index restore eagerly in either mode.
 */
export interface RestoreOptions {
  readonly mode?: RestoreMode;
  /** Background reads in flight at once (lazy). Default 4. */
  readonly concurrency?: number;
  /** Bytes of key groups read and not yet loaded into the tables, at most (lazy). Default 4 MiB. */
  readonly maxBytesInFlight?: number;
}

/** A restarted job processes records once the commit records are read, whatever the state's size. */
const DEFAULT_RESTORE_MODE: RestoreMode = 'lazy';
export const DEFAULT_RESTORE_CONCURRENCY = 4;
export const DEFAULT_RESTORE_BYTES_IN_FLIGHT = 4 * 1024 * 1024;

/** The options with their defaults; throws a `ConfigurationError` naming what is wrong. */
export function resolveRestoreOptions(options: RestoreOptions = {}): Required<RestoreOptions> {
  const mode = options.mode ?? DEFAULT_RESTORE_MODE;
  if (!RESTORE_MODES.includes(mode)) {
    throw new ConfigurationError([
      { key: 'restore.mode', received: String(mode), expected: `one of ${RESTORE_MODES.join(', ')}` },
    ]);
  }
  const concurrency = options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigurationError([
      { key: 'restore.concurrency', received: String(concurrency), expected: 'an integer of at least 1' },
    ]);
  }
  const maxBytesInFlight = options.maxBytesInFlight ?? DEFAULT_RESTORE_BYTES_IN_FLIGHT;
  if (!Number.isInteger(maxBytesInFlight) || maxBytesInFlight < 1) {
    throw new ConfigurationError([
      {
        key: 'restore.maxBytesInFlight',
        received: String(maxBytesInFlight),
        expected: 'an integer of at least 1',
      },
    ]);
  }
  return { mode, concurrency, maxBytesInFlight };
}
