import { StateBackendError } from '../../errors.js';
import { decodeVerifiedBlock } from '../format/block-decoder.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import type { VerifiedBlock } from '../restore/keyed-state-source.js';
import type { KeyGroupEntryWriter } from './state-snapshot-view.js';

/** How the entries of one restored state go into a snapshot's view of it. */
export interface RestoredStateTarget {
  /** The state's index in the view. */
  readonly index: number;
  /** Turns stored value bytes into what the view's serializer reads (a migration); as-is when absent. */
  readonly migrate?: (bytes: Uint8Array) => Uint8Array;
  /** The TTL in milliseconds, when entries expired at the view's time are left out of full snapshots. */
  readonly cleanupTtl?: number;
}

/**
 * The key groups a lazy restore had not loaded when a snapshot was taken. Nothing could have
 * changed them (records wait for their key group), so they hold exactly what was restored: the
 * snapshot writes them from the restored blocks, entry by entry without deserializing a value
 * (only a state whose serializer migrates has its values read and written again).
 *
 * {@link prepare} waits until each of their blocks was read (the background restore reads them;
 * a block that cannot be read fails the snapshot with the restore's typed error). It is also
 * what a checkpoint that carries these key groups by reference waits for: no checkpoint commits
 * a key group before it was read and verified.
 */
export class UnloadedKeyGroups {
  readonly #pending: ReadonlyMap<number, Promise<VerifiedBlock | undefined>>;
  readonly #read = new Map<number, VerifiedBlock | undefined>();
  readonly #targets: ReadonlyMap<string, RestoredStateTarget>;
  readonly #mapped = new WeakMap<readonly CheckpointedState[], readonly RestoredStateTarget[]>();
  #prepared: Promise<void> | undefined;

  /**
   * @param blocks the block of each key group not loaded, as the restore will read it.
   * @param targets where each restored state goes, by name.
   */
  constructor(
    blocks: ReadonlyMap<number, Promise<VerifiedBlock | undefined>>,
    targets: ReadonlyMap<string, RestoredStateTarget>,
  ) {
    this.#pending = blocks;
    this.#targets = targets;
  }

  get keyGroups(): Iterable<number> {
    return this.#pending.keys();
  }

  has(keyGroup: number): boolean {
    return this.#pending.has(keyGroup);
  }

  /** Resolves once every block was read; rejects with the first failure. */
  prepare(): Promise<void> {
    this.#prepared ??= Promise.all(
      [...this.#pending].map(([keyGroup, block]) => block.then((read) => this.#read.set(keyGroup, read))),
    ).then(() => undefined);
    return this.#prepared;
  }

  /** Writes `keyGroup` as restored; after {@link prepare} resolved. */
  write(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean, timestamp: number): void {
    if (!this.#read.has(keyGroup)) {
      throw new StateBackendError(`Key group ${keyGroup} was written before it was read; this is a bug.`);
    }
    const block = this.#read.get(keyGroup);
    if (block === undefined) return;
    const targets = this.#targetsOf(block.states);
    decodeVerifiedBlock(block.bytes, block.entries, keyGroup, (_, entry) => {
      const target = targets[entry.stateIndex] as RestoredStateTarget;
      if (
        dropExpired &&
        target.cleanupTtl !== undefined &&
        entry.ttlTimestamp !== undefined &&
        entry.ttlTimestamp + target.cleanupTtl <= timestamp
      ) {
        return;
      }
      const value = target.migrate === undefined ? entry.value : target.migrate(entry.value);
      out.writeEntry(target.index, entry.key, entry.namespace, entry.userKey, value, entry.ttlTimestamp);
    });
  }

  #targetsOf(states: readonly CheckpointedState[]): readonly RestoredStateTarget[] {
    let targets = this.#mapped.get(states);
    if (targets === undefined) {
      targets = states.map((state) => {
        const target = this.#targets.get(state.name);
        if (target === undefined) {
          throw new StateBackendError(
            `Restored state '${state.name}' has no place in the snapshot; this is a bug.`,
          );
        }
        return target;
      });
      this.#mapped.set(states, targets);
    }
    return targets;
  }
}
