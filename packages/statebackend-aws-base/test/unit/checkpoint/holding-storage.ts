import { assignToKeyGroup, type CheckpointStorage, Serializers } from '../../../src/index.js';
import {
  type ByteRange,
  bytesAsFile,
  type CheckpointFile,
  ForwardingCheckpointStorage,
  KeyGroupFileReader,
} from '../../../src/spi.js';

/**
 * A storage whose ranged reads of chosen bytes wait until released: a test holds the read of one
 * key group's block and shows what happens meanwhile, without sleeps.
 */
export class HoldingCheckpointStorage extends ForwardingCheckpointStorage {
  #holds: { path: string; offset: number }[] = [];
  #released: Promise<void> = Promise.resolve();
  #release: () => void = () => undefined;
  #heldOnce: Promise<void> = Promise.resolve();
  #onHeld: () => void = () => undefined;
  /** Reads held so far. */
  held = 0;

  /** Holds every ranged read of `path` that covers byte `offset`, until {@link release}. */
  hold(path: string, offset: number): void {
    this.#holds.push({ path, offset });
    this.#released = new Promise((resolve) => {
      this.#release = resolve;
    });
    this.#heldOnce = new Promise((resolve) => {
      this.#onHeld = resolve;
    });
  }

  /** Resolves once a read was held. */
  whenHeld(): Promise<void> {
    return this.#heldOnce;
  }

  release(): void {
    this.#holds = [];
    this.#release();
  }

  override async readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    const held = this.#holds.some(
      (h) =>
        h.path === path &&
        range !== undefined &&
        range.offset <= h.offset &&
        h.offset < range.offset + range.length,
    );
    if (held) {
      this.held++;
      this.#onHeld();
      await this.#released;
    }
    return super.readFile(path, range);
  }
}

/** The key group of a string key among `maxParallelism`. */
export function keyGroupOf(key: string, maxParallelism = 128): number {
  return assignToKeyGroup(Serializers.string.serialize(key), maxParallelism);
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
