import {
  CheckpointNotFoundError,
  KeyGroupArgumentError,
  KeyGroupRange,
  type RestoredUserMetadata,
  StateBackendError,
} from '@statebackend/aws-base';
import {
  bytesAsFile,
  type CheckpointedState,
  type KeyedStateSource,
  type KeyGroupEntryWriter,
  KeyGroupFileReader,
  KeyGroupFileWriter,
  type RawEntry,
  type VerifiedBlock,
} from '@statebackend/aws-base/spi';
import { userMetadataOf } from '../backend/restored-info.js';
import type { CommitRecord, LineageEntry } from '../checkpoint/lineage.js';
import { type CommitLogLocation, openCommitLog } from '../checkpoint/open-commit-log.js';
import { planRestore } from '../checkpoint/restore-plan.js';
import type { DynamoIo } from '../io/dynamo-io.js';
import { readKeyGroup } from '../store/key-group-reader.js';
import { DEFAULT_BUCKETS } from '../store/store-options.js';
import { statesFromJson } from './state-catalog.js';
import { type StateShape, shapeOf, writeStoredEntry } from './stored-entries.js';

/** Options of {@link DynamoDbCheckpointSource.open}. */
export interface DynamoDbCheckpointSourceOptions extends CommitLogLocation {
  /** The checkpoint; default the newest one every key group of the range committed. */
  readonly checkpointId?: number;
  /** The key groups to read; default every key group the scope's commit records cover. */
  readonly keyGroupRange?: KeyGroupRange;
}

/**
 * A committed checkpoint of the DynamoDB backend, read without claiming anything: the running
 * job is not fenced. It is a `KeyedStateSource` like a checkpoint in files or a savepoint, so any
 * backend restores from it, the heap backend's `exportSavepoint()` turns it into a canonical
 * savepoint, and the command line dumps it. Entries are read by key group (one Query per bucket
 * partition, never a Scan), each resolved through the checkpoint's lineage, so what writers did
 * after the checkpoint is invisible. The checkpoint must stay restorable while it is read (the
 * newest, or one its writer retains).
 *
 * @example
 * ```ts
 * const source = await DynamoDbCheckpointSource.open({ client, tableName: 'state', scope: 'job/op' });
 * const heap = await new CheckpointingHeapBackendBuilder(parameters, { restoreFrom: source }).build();
 * ```
 */
export class DynamoDbCheckpointSource implements KeyedStateSource {
  readonly description: string;
  readonly checkpointId: number;
  readonly maxParallelism: number;
  readonly states: readonly CheckpointedState[];
  readonly userMetadata: readonly RestoredUserMetadata[];
  /** The key groups it holds. */
  readonly keyGroupRange: KeyGroupRange;
  /** The commit records it was assembled from, one per writer of the range. */
  readonly commits: readonly CommitRecord[];
  readonly #io: DynamoIo;
  readonly #scopeBytes: Uint8Array;
  readonly #lineage: readonly LineageEntry[];
  readonly #buckets: number;
  readonly #shapes: ReadonlyMap<string, StateShape>;

  private constructor(
    opened: ReturnType<typeof openCommitLog>,
    plan: ReturnType<typeof planRestore>,
    range: KeyGroupRange,
    location: string,
  ) {
    this.#io = opened.io;
    this.#scopeBytes = opened.scopeBytes;
    this.#lineage = plan.lineage;
    this.commits = plan.commits;
    this.checkpointId = plan.checkpointId;
    this.keyGroupRange = range;
    this.description = `checkpoint ${plan.checkpointId} under ${location}`;
    this.maxParallelism = agreed(plan.commits, 'maxParallelism', location) ?? 0;
    this.#buckets = agreed(plan.commits, 'buckets', location) ?? DEFAULT_BUCKETS;
    const byName = new Map<string, CheckpointedState>();
    for (const commit of plan.commits) {
      for (const state of statesFromJson(commit.states, location)) {
        if (!byName.has(state.name)) byName.set(state.name, state);
      }
    }
    this.states = [...byName.values()];
    this.#shapes = new Map(this.states.map((state, index) => [state.name, shapeOf(state, index)]));
    this.userMetadata = userMetadataOf(plan.commits, range);
  }

  /**
   * Finds the checkpoint in the scope's commit records.
   *
   * @throws CheckpointNotFoundError when nothing was committed, or not the checkpoint asked for.
   * @throws KeyGroupArgumentError when the commit records do not say their max parallelism.
   */
  static async open(options: DynamoDbCheckpointSourceOptions): Promise<DynamoDbCheckpointSource> {
    const opened = openCommitLog(options);
    const location = opened.log.location;
    const commits = await opened.log.list();
    if (commits.length === 0) throw new CheckpointNotFoundError(location, 'no checkpoint was committed');
    const range =
      options.keyGroupRange ??
      KeyGroupRange.of(Math.min(...commits.map((c) => c.start)), Math.max(...commits.map((c) => c.end)));
    const plan = planRestore(location, range, commits, options.checkpointId);
    const source = new DynamoDbCheckpointSource(opened, plan, range, location);
    if (source.maxParallelism === 0) {
      throw new KeyGroupArgumentError(
        'maxParallelism',
        'unknown',
        `a value recorded with the commits of ${location}; they were written by a store used without a keyed backend`,
      );
    }
    return source;
  }

  async forEachEntry(
    range: KeyGroupRange,
    visit: (keyGroup: number, state: CheckpointedState, entry: RawEntry) => void,
  ): Promise<void> {
    for (const keyGroup of this.keyGroupRange.intersect(range)) {
      await this.#writeKeyGroup(keyGroup, entryVisitor(keyGroup, this.states, visit));
    }
  }

  async forEachBlock(range: KeyGroupRange, visit: (block: VerifiedBlock) => void): Promise<void> {
    const names = this.states.map((state) => state.name);
    for (const keyGroup of this.keyGroupRange.intersect(range)) {
      const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: names });
      writer.beginKeyGroup(keyGroup);
      await this.#writeKeyGroup(keyGroup, writer);
      writer.endKeyGroup();
      const chunks: Uint8Array[] = [];
      for (let chunk = writer.takeChunk(); chunk !== undefined; chunk = writer.takeChunk())
        chunks.push(chunk);
      chunks.push(writer.finish());
      const file = bytesAsFile(`${this.description}, key group ${keyGroup}`, Buffer.concat(chunks));
      const reader = await KeyGroupFileReader.open(file, 'data');
      await reader.forEachBlock(KeyGroupRange.of(keyGroup, keyGroup), (block, bytes) =>
        visit({ keyGroup, bytes, entries: block.entries, states: this.states }),
      );
    }
  }

  async #writeKeyGroup(keyGroup: number, out: KeyGroupEntryWriter): Promise<void> {
    const entries = await readKeyGroup(
      {
        io: this.#io,
        scopeBytes: this.#scopeBytes,
        buckets: this.#buckets,
        ownEpoch: undefined,
        lineage: this.#lineage,
      },
      keyGroup,
    );
    for (const entry of entries) {
      const shape = this.#shapes.get(entry.state);
      // Entries of a state no commit describes were never part of a checkpoint of a keyed backend.
      if (shape !== undefined) writeStoredEntry(shape, entry, out, false, 0);
    }
  }
}

/** The one value of `field` the commits agree on; undefined when none records it. */
function agreed(
  commits: readonly CommitRecord[],
  field: 'maxParallelism' | 'buckets',
  location: string,
): number | undefined {
  const values = new Set(commits.map((c) => c[field]).filter((v) => v !== undefined));
  if (values.size > 1) {
    throw new KeyGroupArgumentError(
      field,
      [...values].join(' and '),
      `one value across the commits of ${location}`,
    );
  }
  return [...values][0];
}

/** A writer that hands each entry to `visit` instead of encoding it. */
function entryVisitor(
  keyGroup: number,
  states: readonly CheckpointedState[],
  visit: (keyGroup: number, state: CheckpointedState, entry: RawEntry) => void,
): KeyGroupEntryWriter {
  const unsupported = (): never => {
    throw new StateBackendError('DynamoDbCheckpointSource writes entries as bytes only; this is a bug.');
  };
  return {
    writeEntry(stateIndex, key, namespace, userKey, value, ttlTimestamp) {
      const state = states[stateIndex] as CheckpointedState;
      visit(keyGroup, state, { stateIndex, key, namespace, userKey, value, ttlTimestamp });
    },
    writeEntryWithIds: unsupported,
    writeTombstoneWithIds: unsupported,
  };
}
