import { open } from 'node:fs/promises';
import { CheckpointStorageError, CorruptSavepointError, NotACheckpointError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { KeyGroupFileReader } from '../format/key-group-file-reader.js';
import { bytesAsFile, type RandomAccessFile } from '../format/random-access-file.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import { BlockSource } from '../restore/block-source.js';
import type { KeyedStateSource, RestoredUserMetadata, VerifiedBlock } from '../restore/keyed-state-source.js';
import { mergeStates } from '../restore/merge-states.js';
import { type SavepointProperties, savepointPropertiesFromJson } from './savepoint-properties.js';

/**
 * A canonical savepoint opened for import: one file, or the files of several key-group ranges
 * of one operator (one per subtask), read as a whole. Any backend restores from it.
 *
 * @example
 * ```ts
 * const savepoint = await SavepointSource.openFiles(['op-0.sbsp', 'op-1.sbsp']);
 * const backend = await builder.restoreFrom(savepoint).build();
 * ```
 */
export class SavepointSource extends BlockSource implements KeyedStateSource {
  readonly description: string;
  readonly checkpointId = undefined;
  readonly maxParallelism: number;
  readonly states: readonly CheckpointedState[];
  readonly userMetadata: readonly RestoredUserMetadata[];
  readonly #files: readonly { reader: KeyGroupFileReader; properties: SavepointProperties }[];
  readonly #statesByName: ReadonlyMap<string, CheckpointedState>;

  private constructor(files: readonly { reader: KeyGroupFileReader; properties: SavepointProperties }[]) {
    super();
    this.#files = files;
    this.description = `savepoint ${files.map((f) => f.reader.file.name).join(', ')}`;
    const first = files[0];
    if (first === undefined)
      throw new NotACheckpointError('(no files)', 'a savepoint needs at least one file');
    this.maxParallelism = first.properties.maxParallelism;
    const sorted = [...files].sort(
      (a, b) => a.properties.keyGroupRange.startKeyGroup - b.properties.keyGroupRange.startKeyGroup,
    );
    for (let i = 0; i < sorted.length; i++) {
      const current = sorted[i] as (typeof sorted)[number];
      const previous = sorted[i - 1];
      if (current.properties.maxParallelism !== this.maxParallelism) {
        throw new CorruptSavepointError(
          current.reader.file.name,
          `its maxParallelism ${current.properties.maxParallelism} differs from ${this.maxParallelism} of ${first.reader.file.name}`,
        );
      }
      if (
        previous !== undefined &&
        !previous.properties.keyGroupRange.intersect(current.properties.keyGroupRange).isEmpty
      ) {
        throw new CorruptSavepointError(
          current.reader.file.name,
          `its ${current.properties.keyGroupRange} overlaps ${previous.properties.keyGroupRange} of ${previous.reader.file.name}`,
        );
      }
    }
    this.states = mergeStates(files.map((f) => ({ file: f.reader.file.name, states: f.properties.states })));
    this.#statesByName = new Map(this.states.map((state) => [state.name, state]));
    this.userMetadata = sorted.map((f) => ({
      keyGroupRange: f.properties.keyGroupRange,
      metadata: f.properties.userMetadata,
    }));
  }

  /** Opens savepoint files (trailer and index only; entries are read by {@link forEachEntry}). */
  static async open(files: readonly RandomAccessFile[]): Promise<SavepointSource> {
    const opened: { reader: KeyGroupFileReader; properties: SavepointProperties }[] = [];
    for (const file of files) {
      const reader = await KeyGroupFileReader.open(file, 'savepoint');
      const properties = savepointPropertiesFromJson(file.name, reader.properties);
      const names = properties.states.map((s) => s.name);
      if (names.length !== reader.stateNames.length || names.some((n, i) => n !== reader.stateNames[i])) {
        throw new CorruptSavepointError(
          file.name,
          'its state table does not match the states of its properties',
        );
      }
      opened.push({ reader, properties });
    }
    return new SavepointSource(opened);
  }

  /** Opens savepoint files held in memory. */
  static fromBytes(...savepoints: readonly Uint8Array[]): Promise<SavepointSource> {
    return SavepointSource.open(
      savepoints.map((bytes, i) => bytesAsFile(`savepoint #${i + 1} (in memory)`, bytes)),
    );
  }

  /** Opens savepoint files on the local file system. The files stay open until {@link close}. */
  static async openFiles(paths: readonly string[]): Promise<SavepointSource> {
    const handles: Awaited<ReturnType<typeof open>>[] = [];
    const files: RandomAccessFile[] = [];
    try {
      for (const path of paths) {
        const handle = await open(path, 'r').catch((error: unknown) => {
          throw new CheckpointStorageError('open the savepoint', path, { cause: error });
        });
        handles.push(handle);
        const { size } = await handle.stat();
        files.push({
          name: path,
          size,
          read: async (offset, length) => {
            const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
            return buffer.subarray(0, bytesRead);
          },
        });
      }
      const source = await SavepointSource.open(files);
      source.#closeHandles = () => Promise.all(handles.map((h) => h.close())).then(() => undefined);
      return source;
    } catch (error) {
      await Promise.all(handles.map((h) => h.close()));
      throw error;
    }
  }

  #closeHandles: () => Promise<void> = () => Promise.resolve();

  /** Closes files opened by {@link openFiles}. */
  close(): Promise<void> {
    return this.#closeHandles();
  }

  override async forEachBlock(range: KeyGroupRange, visit: (block: VerifiedBlock) => void): Promise<void> {
    for (const { reader, properties } of this.#files) {
      if (properties.keyGroupRange.intersect(range).isEmpty) continue;
      const states = properties.states.map((s) => this.#statesByName.get(s.name) as CheckpointedState);
      await reader.forEachBlock(range, (block, bytes) => {
        if (!properties.keyGroupRange.contains(block.keyGroup)) {
          throw new CorruptSavepointError(
            reader.file.name,
            `it holds key group ${block.keyGroup}, outside its ${properties.keyGroupRange}`,
          );
        }
        visit({ keyGroup: block.keyGroup, bytes, entries: block.entries, states });
      });
    }
  }
}
