// A checkpoint storage that times the phases of each checkpoint written through it, for the
// bench to say where a checkpoint's time goes: its data files (the encoding included, since
// chunks are encoded as the upload reads them), the time spent inside the encoder, and the commit.
import { performance } from 'node:perf_hooks';
import type {
  ByteRange,
  CheckpointStorage,
  CommittedCheckpoint,
  FileContent,
  FileScope,
  KeyGroupRange,
  StoredFile,
  WriterLease,
  WrittenFile,
} from '@statebackend/aws-base';

/** The phases of one checkpoint, in ms. */
export interface CheckpointPhases {
  /** From the first data file's start to the last one's end. */
  dataFiles: number;
  /** Inside the encoder (waiting for each next chunk), its pauses for the event loop included. */
  encoding: number;
  commit: number;
}

export class PhaseTimingStorage implements CheckpointStorage {
  readonly location: string;
  /** Per checkpoint id, in the order they were written. */
  readonly phases = new Map<number, CheckpointPhases>();
  private readonly storage: CheckpointStorage;

  constructor(storage: CheckpointStorage) {
    this.storage = storage;
    this.location = storage.location;
  }

  private phasesOf(checkpointId: number): CheckpointPhases {
    let phases = this.phases.get(checkpointId);
    if (phases === undefined) {
      phases = { dataFiles: 0, encoding: 0, commit: 0 };
      this.phases.set(checkpointId, phases);
    }
    return phases;
  }

  async writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    const phases = this.phasesOf(checkpointId);
    const timed =
      content instanceof Uint8Array || !(Symbol.asyncIterator in content)
        ? content
        : timedChunks(content, phases);
    const start = performance.now();
    try {
      return await this.storage.writeFile(lease, checkpointId, scope, timed);
    } finally {
      phases.dataFiles += performance.now() - start;
    }
  }

  async commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    const phases = this.phasesOf(checkpointId);
    const start = performance.now();
    try {
      return await this.storage.commit(lease, checkpointId, metadata);
    } finally {
      phases.commit += performance.now() - start;
    }
  }

  describe(path: string): string {
    return this.storage.describe(path);
  }
  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    return this.storage.claim(keyGroupRange);
  }
  listClaims(): Promise<WriterLease[]> {
    return this.storage.listClaims();
  }
  checkNotFenced(lease: WriterLease): Promise<void> {
    return this.storage.checkNotFenced(lease);
  }
  listCommitted(): Promise<CommittedCheckpoint[]> {
    return this.storage.listCommitted();
  }
  readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    return this.storage.readFile(path, range);
  }
  listFiles(): Promise<StoredFile[]> {
    return this.storage.listFiles();
  }
  delete(paths: readonly string[]): Promise<void> {
    return this.storage.delete(paths);
  }
}

async function* timedChunks(
  chunks: AsyncIterable<Uint8Array>,
  phases: CheckpointPhases,
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    const start = performance.now();
    const next = await iterator.next();
    phases.encoding += performance.now() - start;
    if (next.done === true) return;
    yield next.value;
  }
}
