import type { CheckpointStorage } from '@statebackend/aws-base';
import {
  type ByteRange,
  bytesAsFile,
  type CheckpointFile,
  ForwardingCheckpointStorage,
  KeyGroupFileReader,
} from '@statebackend/aws-base/spi';

/**
 * A storage whose ranged reads covering a chosen byte of a data file (or whole reads of a chosen
 * path) wait until released: a test holds the read of one key group's block, or of one commit
 * record, and shows what happens meanwhile, without sleeps. Every other call goes to the inner storage as it would. It also records which
 * paths were read whole and which by range.
 */
export class HoldingCheckpointStorage extends ForwardingCheckpointStorage {
  #hold: { path: string; offset: number | 'whole' } | undefined;
  #release: () => void = () => undefined;
  #released: Promise<void> = Promise.resolve();
  #onHeld: () => void = () => undefined;
  #held: Promise<void> = Promise.resolve();
  /** Paths read whole (not by range). */
  readonly wholeReads: string[] = [];
  /** Paths read by range. */
  readonly rangedReads: string[] = [];

  /**
   * Holds, until {@link release}, every ranged read of `path` that covers byte `offset`, or with
   * `'whole'` every read of `path` that is not ranged.
   */
  hold(path: string, offset: number | 'whole'): void {
    this.#hold = { path, offset };
    this.#released = new Promise((resolve) => {
      this.#release = resolve;
    });
    this.#held = new Promise((resolve) => {
      this.#onHeld = resolve;
    });
  }

  /** Resolves once a read was held. */
  whenHeld(): Promise<void> {
    return this.#held;
  }

  release(): void {
    this.#hold = undefined;
    this.#release();
  }

  override async readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    (range === undefined ? this.wholeReads : this.rangedReads).push(path);
    const hold = this.#hold;
    if (
      hold !== undefined &&
      hold.path === path &&
      (hold.offset === 'whole'
        ? range === undefined
        : range !== undefined && range.offset <= hold.offset && hold.offset < range.offset + range.length)
    ) {
      this.#onHeld();
      await this.#released;
    }
    return super.readFile(path, range);
  }
}

/** Where the block of `keyGroup` starts in one of `files` (undefined when none holds it). */
export async function blockOffset(
  storage: CheckpointStorage,
  files: readonly CheckpointFile[],
  keyGroup: number,
): Promise<{ path: string; offset: number } | undefined> {
  for (const file of files) {
    const reader = await KeyGroupFileReader.open(
      bytesAsFile(file.path, await storage.readFile(file.path)),
      'data',
    );
    const block = reader.blocks.find((b) => b.keyGroup === keyGroup);
    if (block !== undefined) return { path: file.path, offset: block.offset };
  }
  return undefined;
}
