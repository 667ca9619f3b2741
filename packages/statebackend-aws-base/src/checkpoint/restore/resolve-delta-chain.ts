import { decodeVerifiedBlock } from '../format/block-decoder.js';
import type { RawEntry } from '../format/key-group-file-format.js';
import { KeyGroupFileWriter } from '../format/key-group-file-writer.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import type { VerifiedBlock } from './keyed-state-source.js';

/** A cell's identity across blocks: state, key and namespace (bytes as characters 0-255). */
function cellOf(state: CheckpointedState, entry: RawEntry): string {
  return `${state.name}\u0000${entry.key.length}\u0000${latin1(entry.key)}${latin1(entry.namespace)}`;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/**
 * The state of key group `keyGroup` after a chain of blocks: a full block (or none, when the
 * key group was empty) followed by delta blocks, oldest first. Each cell comes whole from the
 * newest block that mentions it; a tombstone there means the cell is gone. Returns one block of
 * the resolved entries, indexed by `states`, or undefined when nothing is left.
 *
 * Restores stay unaware of deltas: sources hand out resolved blocks, so every consumer (the heap
 * tables, other backends, dumps) reads plain entries.
 */
export function resolveDeltaChain(
  keyGroup: number,
  chain: readonly VerifiedBlock[],
  states: readonly CheckpointedState[],
): VerifiedBlock | undefined {
  const owner = new Map<string, number>();
  for (let b = chain.length - 1; b >= 0; b--) {
    const block = chain[b] as VerifiedBlock;
    decodeVerifiedBlock(block.bytes, block.entries, keyGroup, (_, entry) => {
      const cell = cellOf(block.states[entry.stateIndex] as CheckpointedState, entry);
      if (!owner.has(cell)) owner.set(cell, b);
    });
  }
  const indexOf = new Map(states.map((state, index) => [state, index]));
  const writer = new KeyGroupFileWriter({
    kind: 'data',
    stateNames: states.map((state) => state.name),
    subBlocks: false, // one block, decoded whole
  });
  writer.beginKeyGroup(keyGroup);
  chain.forEach((block, b) => {
    decodeVerifiedBlock(block.bytes, block.entries, keyGroup, (_, entry) => {
      const state = block.states[entry.stateIndex] as CheckpointedState;
      if (entry.tombstone === true || owner.get(cellOf(state, entry)) !== b) return;
      writer.writeEntry(
        indexOf.get(state) ?? -1,
        entry.key,
        entry.namespace,
        entry.userKey,
        entry.value,
        entry.ttlTimestamp,
      );
    });
  });
  writer.endKeyGroup();
  // Never chunked before finish(): the one chunk is the whole file.
  const bytes = writer.finish();
  const resolved = writer.summary().blocks[0];
  if (resolved === undefined) return undefined;
  return {
    keyGroup,
    bytes: bytes.subarray(resolved.offset, resolved.offset + resolved.length),
    entries: resolved.entries,
    states,
  };
}
