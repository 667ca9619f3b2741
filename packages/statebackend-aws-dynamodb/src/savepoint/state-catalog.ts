import { CorruptCheckpointError, type TypeSerializer } from '@statebackend/aws-base';
import {
  type CheckpointedState,
  checkpointedStateOf,
  type RegisteredKeyedState,
} from '@statebackend/aws-base/spi';

/**
 * The states a keyed backend's checkpoints describe: those registered now, and those it was
 * restored with (from commit records or a savepoint) and that were not registered again, whose
 * data is still in the table: they are carried into every later checkpoint, as Flink does.
 */
export class StateCatalog {
  readonly #carried = new Map<string, CheckpointedState>();

  /** Adds restored states; a name already known keeps its first description. */
  carry(states: Iterable<CheckpointedState>): void {
    for (const state of states) if (!this.#carried.has(state.name)) this.#carried.set(state.name, state);
  }

  /** How a restored state was stored, if it was. */
  restored(name: string): CheckpointedState | undefined {
    return this.#carried.get(name);
  }

  /** Every state, registered ones described by their registration. */
  describe(
    registered: readonly RegisteredKeyedState[],
    keySerializer: TypeSerializer<unknown>,
  ): CheckpointedState[] {
    const names = new Set(registered.map((state) => state.name));
    return [
      ...registered.map((state) => checkpointedStateOf(state, keySerializer)),
      ...[...this.#carried.values()].filter((state) => !names.has(state.name)),
    ];
  }
}

/** States as a commit record stores them. */
export function statesToJson(states: readonly CheckpointedState[]): string {
  return JSON.stringify(states);
}

/**
 * The states of a commit record; an empty list when it has none (a store used without a keyed
 * backend). Throws `CorruptCheckpointError` naming `location` when they do not parse.
 */
export function statesFromJson(text: string | undefined, location: string): CheckpointedState[] {
  if (text === undefined) return [];
  const fail = (reason: string): never => {
    throw new CorruptCheckpointError(location, `its commit record's states ${reason}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('are not JSON');
  }
  if (!Array.isArray(parsed)) return fail('are not a list');
  return parsed.map((state: unknown) => {
    const s = state as Partial<Record<keyof CheckpointedState, unknown>>;
    if (typeof s?.name !== 'string' || typeof s.kind !== 'string' || typeof s.serializers !== 'object') {
      return fail('hold an entry without name, kind or serializers');
    }
    return state as CheckpointedState;
  });
}
