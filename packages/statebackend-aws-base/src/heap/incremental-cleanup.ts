import type { RegisteredKeyedState } from '../backend/registered-state.js';
import type { StateTtlConfig } from '../state/ttl/state-ttl-config.js';
import type { TtlTimeProvider } from '../state/ttl/time-provider.js';
import type { StateTable } from './state-table.js';
import { withoutExpired } from './ttl-purge.js';

/**
 * Flink's incremental TTL cleanup for a heap table: a cursor that walks the table's cells key
 * group by key group, a few per state access, and removes what has expired (whole values, or
 * the expired elements of lists and entries of maps). It resumes where it stopped and wraps
 * around, so every cell is eventually visited while the state is used.
 */
export class IncrementalCleanup {
  readonly #table: StateTable<unknown>;
  readonly #state: RegisteredKeyedState;
  readonly #ttl: StateTtlConfig;
  readonly #clock: TtlTimeProvider;
  readonly #cleanupSize: number;
  #keyGroup: number;
  #cursor: Iterator<[string, unknown]> | undefined;

  constructor(
    table: StateTable<unknown>,
    state: RegisteredKeyedState,
    ttl: StateTtlConfig,
    cleanupSize: number,
    clock: TtlTimeProvider,
  ) {
    this.#table = table;
    this.#state = state;
    this.#ttl = ttl;
    this.#clock = clock;
    this.#cleanupSize = cleanupSize;
    this.#keyGroup = table.keyGroupRange.startKeyGroup;
  }

  /** Checks up to `cleanupSize` cells; returns how many were removed or trimmed. */
  step(): number {
    const table = this.#table;
    const range = table.keyGroupRange;
    if (table.isEmpty) return 0;
    const now = this.#clock.currentTimestamp();
    let visited = 0;
    let cleaned = 0;
    let emptyGroups = 0;
    while (visited < this.#cleanupSize && emptyGroups <= range.size) {
      this.#cursor ??= table.entries(this.#keyGroup);
      const next = this.#cursor.next();
      if (next.done === true) {
        this.#cursor = undefined;
        this.#keyGroup = this.#keyGroup >= range.endKeyGroup ? range.startKeyGroup : this.#keyGroup + 1;
        emptyGroups++;
        continue;
      }
      emptyGroups = 0;
      visited++;
      const id = next.value[0];
      // Re-read: the cursor may walk a map a snapshot froze, the table holds the current value.
      const current = table.get(this.#keyGroup, id);
      if (current === undefined) continue;
      const purged = withoutExpired(this.#state.kind, current, this.#ttl, now, table.version);
      if (purged === current) continue;
      cleaned++;
      if (purged === undefined) table.remove(this.#keyGroup, id);
      else table.put(this.#keyGroup, id, purged);
    }
    return cleaned;
  }
}
