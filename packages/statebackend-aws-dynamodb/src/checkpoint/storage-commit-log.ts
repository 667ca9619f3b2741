import {
  CheckpointAlreadyExistsError,
  type CheckpointStorage,
  CorruptCheckpointError,
  FencedError,
  type KeyGroupRange,
} from '@statebackend/aws-base';
import type { WriterLease } from '@statebackend/aws-base/spi';
import { StoreFailedError } from '../errors.js';
import type { CommitLog } from './commit-log.js';
import type { CommitRecord, LineageEntry } from './lineage.js';

const FORMAT = 'statebackend-dynamodb-commit';
const VERSION = 1;

/**
 * Claims and commit records in aws-base's `CheckpointStorage` (a local directory, S3, ...), the
 * checkpoint SPI every backend shares; the data stays in the table. The storage keeps the commit
 * rules: claims with epochs, atomic commits that fail with `FencedError` for a fenced writer.
 */
export class StorageCommitLog implements CommitLog {
  readonly #storage: CheckpointStorage;
  #lease: WriterLease | undefined;
  /** Where each record was read from, to delete it. */
  readonly #paths = new Map<string, string>();

  constructor(storage: CheckpointStorage) {
    this.#storage = storage;
  }

  get location(): string {
    return this.#storage.location;
  }

  async claim(range: KeyGroupRange): Promise<number> {
    this.#lease = await this.#storage.claim(range);
    return this.#lease.epoch;
  }

  checkNotFenced(): Promise<void> {
    return this.#storage.checkNotFenced(this.#claimed());
  }

  async commit(record: CommitRecord): Promise<void> {
    try {
      const committed = await this.#storage.commit(
        this.#claimed(),
        record.checkpointId,
        encodeRecord(record),
      );
      this.#paths.set(`${record.checkpointId}/${record.epoch}`, committed.path);
    } catch (error) {
      if (error instanceof FencedError) throw error;
      // A commit whose answer was lost may have been stored: it is ours if it says our cutoff.
      let stored: CommitRecord | undefined;
      try {
        stored = (await this.list()).find(
          (c) => c.checkpointId === record.checkpointId && c.epoch === record.epoch,
        );
      } catch (listError) {
        throw new StoreFailedError(
          `the outcome of the commit of checkpoint ${record.checkpointId} is unknown`,
          {
            cause: listError,
          },
        );
      }
      if (stored !== undefined && stored.cutoff === record.cutoff) return;
      if (error instanceof CheckpointAlreadyExistsError) throw error;
      throw new StoreFailedError(`the commit of checkpoint ${record.checkpointId} failed and did not land`, {
        cause: error,
      });
    }
  }

  async list(): Promise<CommitRecord[]> {
    const records: CommitRecord[] = [];
    for (const committed of await this.#storage.listCommitted()) {
      const record = decodeRecord(
        this.#storage.describe(committed.path),
        await this.#storage.readFile(committed.path),
      );
      this.#paths.set(`${record.checkpointId}/${record.epoch}`, committed.path);
      records.push(record);
    }
    return records.sort((a, b) => b.checkpointId - a.checkpointId || b.epoch - a.epoch);
  }

  async remove(records: readonly CommitRecord[]): Promise<void> {
    const paths: string[] = [];
    for (const record of records) {
      const path = this.#paths.get(`${record.checkpointId}/${record.epoch}`);
      if (path !== undefined) paths.push(path);
    }
    if (paths.length > 0) await this.#storage.delete(paths);
  }

  /** Metadata files are never rewritten: a restore by id trusts the list written at commit. */
  readonly updatesRestorable = false;

  async updateRestorable(): Promise<void> {}

  #claimed(): WriterLease {
    if (this.#lease === undefined) throw new StoreFailedError('it has not claimed its key groups');
    return this.#lease;
  }
}

function encodeRecord(record: CommitRecord): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      format: FORMAT,
      version: VERSION,
      checkpointId: record.checkpointId,
      epoch: record.epoch,
      cutoff: record.cutoff,
      start: record.start,
      end: record.end,
      lineage: record.lineage,
      restorable: record.restorable,
      metadata: Buffer.from(record.metadata).toString('base64'),
      committedAt: record.committedAt,
      ...(record.states === undefined ? {} : { states: record.states }),
      ...(record.maxParallelism === undefined ? {} : { maxParallelism: record.maxParallelism }),
      ...(record.buckets === undefined ? {} : { buckets: record.buckets }),
      ...(record.written === undefined ? {} : { written: record.written }),
    }),
  );
}

function decodeRecord(file: string, bytes: Uint8Array): CommitRecord {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new CorruptCheckpointError(file, 'it is not JSON', { cause: error });
  }
  if (json.format !== FORMAT || json.version !== VERSION) {
    throw new CorruptCheckpointError(file, `it is not a DynamoDB commit record of version ${VERSION}`);
  }
  const number = (key: string): number => {
    const value = json[key];
    if (typeof value !== 'number') throw new CorruptCheckpointError(file, `'${key}' is not a number`);
    return value;
  };
  return {
    checkpointId: number('checkpointId'),
    epoch: number('epoch'),
    cutoff: number('cutoff'),
    start: number('start'),
    end: number('end'),
    lineage: (json.lineage ?? []) as LineageEntry[],
    restorable: (json.restorable ?? []) as number[],
    metadata: new Uint8Array(Buffer.from(String(json.metadata ?? ''), 'base64')),
    committedAt: number('committedAt'),
    ...(typeof json.states === 'string' ? { states: json.states } : {}),
    ...(typeof json.maxParallelism === 'number' ? { maxParallelism: json.maxParallelism } : {}),
    ...(typeof json.buckets === 'number' ? { buckets: json.buckets } : {}),
    ...(isWritten(json.written) ? { written: json.written } : {}),
  };
}

function isWritten(value: unknown): value is { entries: number; bytes: number } {
  const written = value as { entries?: unknown; bytes?: unknown } | undefined;
  return typeof written?.entries === 'number' && typeof written.bytes === 'number';
}
