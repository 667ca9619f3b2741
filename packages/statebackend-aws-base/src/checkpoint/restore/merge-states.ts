import { CorruptCheckpointError } from '../../errors.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';

/**
 * The states of several parts of one checkpoint, by name. Writers of different key-group ranges
 * may have registered different states; a state registered by several must agree on its kind and
 * serializers, or the checkpoint cannot be restored as one.
 */
export function mergeStates(
  parts: readonly { file: string; states: readonly CheckpointedState[] }[],
): CheckpointedState[] {
  const merged = new Map<string, { state: CheckpointedState; file: string; signature: string }>();
  for (const { file, states } of parts) {
    for (const state of states) {
      const signature = JSON.stringify([state.kind, state.serializers, state.ttl ?? null]);
      const known = merged.get(state.name);
      if (known === undefined) {
        merged.set(state.name, { state, file, signature });
      } else if (known.signature !== signature) {
        throw new CorruptCheckpointError(
          file,
          `state '${state.name}' is recorded as ${signature}, but '${known.file}' records it as ${known.signature}`,
        );
      }
    }
  }
  return [...merged.values()].map((m) => m.state);
}
