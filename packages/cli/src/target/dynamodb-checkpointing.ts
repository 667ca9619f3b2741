import type {
  CheckpointingKeyedStateBackend,
  EncodedSavepoint,
  JsonValue,
  KeyedContext,
  KeyedStateBackend,
  KeyGroupRange,
  RegisteredKeyedState,
  RestoredCheckpointInfo,
  State,
  StateDescriptor,
  StateLimits,
  TypeSerializer,
} from '@statebackend/aws-base';
import { KeyGroupRange as Range } from '@statebackend/aws-base';
import type { CommitRecord } from '@statebackend/aws-dynamodb';
import { CliError } from '../errors.js';

/** What the adapter needs of a DynamoDB keyed backend: keyed state, and its store's checkpoints. */
export interface DynamoDbKeyed<K> extends KeyedStateBackend<K> {
  snapshot(checkpointId: number, metadata?: Uint8Array): Promise<unknown>;
  readonly store: {
    readonly restored: readonly CommitRecord[];
    notifyCheckpointComplete(checkpointId: number): Promise<void>;
    notifyCheckpointAborted(checkpointId: number): Promise<void>;
  };
}

/**
 * A DynamoDB keyed backend seen as a {@link CheckpointingKeyedStateBackend}, as the processor
 * driver uses it: the driver's JSON metadata is stored as the UTF-8 bytes the DynamoDB store
 * keeps with each commit record; completion and abort go to the store (its retention). A
 * savepoint export reads checkpoint files, which DynamoDB does not write.
 */
export class DynamoDbCheckpointing<K> implements CheckpointingKeyedStateBackend<K> {
  readonly restored: RestoredCheckpointInfo | undefined;
  readonly #keyed: DynamoDbKeyed<K>;
  readonly #table: string;

  constructor(keyed: DynamoDbKeyed<K>, table: string) {
    this.#keyed = keyed;
    this.#table = table;
    const commits = keyed.store.restored;
    const first = commits[0];
    this.restored =
      first === undefined
        ? undefined
        : {
            description: `checkpoint ${first.checkpointId} in DynamoDB table ${table}`,
            checkpointId: first.checkpointId,
            userMetadata: commits.map((c) => ({
              keyGroupRange: Range.of(c.start, c.end),
              metadata: decodeMetadata(c.metadata),
            })),
            entries: 0,
          };
  }

  get jobId(): string {
    return this.#keyed.jobId;
  }
  get operatorId(): string {
    return this.#keyed.operatorId;
  }
  get keyGroupRange(): KeyGroupRange {
    return this.#keyed.keyGroupRange;
  }
  get maxParallelism(): number {
    return this.#keyed.maxParallelism;
  }
  get keySerializer(): TypeSerializer<K> {
    return this.#keyed.keySerializer;
  }
  get limits(): StateLimits {
    return this.#keyed.limits;
  }

  withKey<R>(key: K, fn: (ctx: KeyedContext<K>) => R | Promise<R>): Promise<R> {
    return this.#keyed.withKey(key, fn);
  }

  registerState<S extends State, T>(
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer?: TypeSerializer<unknown>,
  ): RegisteredKeyedState {
    return this.#keyed.registerState(descriptor, namespaceSerializer);
  }

  registeredStates(): readonly RegisteredKeyedState[] {
    return this.#keyed.registeredStates();
  }

  keys(stateName: string, namespace?: unknown): AsyncIterable<K> {
    return this.#keyed.keys(stateName, namespace);
  }

  async snapshot(checkpointId: number, metadata?: JsonValue): Promise<{ readonly checkpointId: number }> {
    await this.#keyed.snapshot(
      checkpointId,
      metadata === undefined ? undefined : new TextEncoder().encode(JSON.stringify(metadata)),
    );
    return { checkpointId };
  }

  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.#keyed.store.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): Promise<void> {
    return this.#keyed.store.notifyCheckpointAborted(checkpointId);
  }

  exportSavepoint(): EncodedSavepoint {
    throw new CliError(
      `Cannot export a savepoint from DynamoDB table ${this.#table}: its state is not in checkpoint files. ` +
        'Export from a directory or S3 location.',
    );
  }

  dispose(): Promise<void> {
    return this.#keyed.dispose();
  }
}

/** The driver's metadata back from the bytes stored with a commit record; undefined if not JSON. */
function decodeMetadata(bytes: Uint8Array): JsonValue | undefined {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as JsonValue;
  } catch {
    return undefined;
  }
}
