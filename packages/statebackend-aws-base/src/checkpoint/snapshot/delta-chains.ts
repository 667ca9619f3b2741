import type { WrittenBlocks } from './snapshot-strategy.js';

/** When a key group's deltas are compacted into a full key group again. */
export interface DeltaChainLimits {
  /** Deltas a key group may have over its full block; the next change rewrites it whole. Default 8. */
  readonly maxDeltas: number;
  /**
   * Compact once the deltas' bytes exceed this fraction of the full block's, or once more than
   * this fraction of a key group's cells changed. Default 0.5.
   */
  readonly maxDeltaRatio: number;
}

/** What a restore of one key group reads: a full block, then its deltas. */
export interface DeltaChain {
  readonly baseBytes: number;
  readonly deltas: number;
  readonly deltaBytes: number;
}

const EMPTY: DeltaChain = Object.freeze({ baseBytes: 0, deltas: 0, deltaBytes: 0 });
const UNKNOWN: DeltaChain = Object.freeze({
  baseBytes: 0,
  deltas: Number.POSITIVE_INFINITY,
  deltaBytes: Number.POSITIVE_INFINITY,
});

/**
 * The delta chain of every key group of a committed incremental checkpoint, in block bytes, so
 * that restore cost stays bounded: a key group whose chain grew past the limits is written whole
 * by the next checkpoint that changes it. Immutable: each commit makes the next one.
 */
export class DeltaChains {
  readonly #chains: ReadonlyMap<number, DeltaChain>;
  readonly #unknown: boolean;

  constructor(chains: ReadonlyMap<number, DeltaChain> = new Map(), unknown = false) {
    this.#chains = chains;
    this.#unknown = unknown;
  }

  /** Chains of a base not written here: every key group compacts when it next changes. */
  static unknown(): DeltaChains {
    return new DeltaChains(new Map(), true);
  }

  of(keyGroup: number): DeltaChain {
    return this.#chains.get(keyGroup) ?? (this.#unknown ? UNKNOWN : EMPTY);
  }

  needsCompaction(chain: DeltaChain, limits: DeltaChainLimits): boolean {
    return chain.deltas >= limits.maxDeltas || chain.deltaBytes > chain.baseBytes * limits.maxDeltaRatio;
  }

  /** The chains once key groups `whole` were written whole and `deltas` as deltas, in `written`. */
  after(
    whole: ReadonlySet<number>,
    deltas: ReadonlySet<number>,
    written: readonly WrittenBlocks[],
  ): DeltaChains {
    const fullBytes = new Map<number, number>();
    const deltaBytes = new Map<number, number>();
    for (const file of written) {
      const into = file.delta ? deltaBytes : fullBytes;
      for (const block of file.blocks)
        into.set(block.keyGroup, (into.get(block.keyGroup) ?? 0) + block.length);
    }
    const chains = new Map(this.#chains);
    for (const keyGroup of whole) {
      chains.set(keyGroup, { baseBytes: fullBytes.get(keyGroup) ?? 0, deltas: 0, deltaBytes: 0 });
    }
    for (const keyGroup of deltas) {
      const chain = this.of(keyGroup);
      chains.set(keyGroup, {
        baseBytes: chain.baseBytes,
        deltas: chain.deltas + 1,
        deltaBytes: chain.deltaBytes + (deltaBytes.get(keyGroup) ?? 0),
      });
    }
    return new DeltaChains(chains, this.#unknown);
  }
}
