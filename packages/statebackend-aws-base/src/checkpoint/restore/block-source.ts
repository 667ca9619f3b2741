import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { decodeVerifiedBlock } from '../format/block-decoder.js';
import type { RawEntry } from '../format/key-group-file-format.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import type { KeyedStateSource, VerifiedBlock } from './keyed-state-source.js';

/**
 * The base of a {@link KeyedStateSource} that reads verified blocks (checkpoint files,
 * savepoints): it provides `forEachBlock`, and its entries are those blocks decoded.
 */
export abstract class BlockSource implements Pick<KeyedStateSource, 'forEachEntry' | 'forEachBlock'> {
  abstract forEachBlock(range: KeyGroupRange, visit: (block: VerifiedBlock) => void): Promise<void>;

  async forEachEntry(
    range: KeyGroupRange,
    visit: (keyGroup: number, state: CheckpointedState, entry: RawEntry) => void,
  ): Promise<void> {
    await this.forEachBlock(range, (block) =>
      decodeVerifiedBlock(block.bytes, block.entries, block.keyGroup, (keyGroup, entry) =>
        visit(keyGroup, block.states[entry.stateIndex] as CheckpointedState, entry),
      ),
    );
  }
}
