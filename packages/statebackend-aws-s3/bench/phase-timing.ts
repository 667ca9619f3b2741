// A checkpoint storage that times the phases of each checkpoint written through it, for the
// bench to say where a checkpoint's time goes: its data files (the encoding included, since
// chunks are encoded as the upload reads them), the time spent inside the encoder, and the commit,
// and when each of them ended, for a timeline of one checkpoint.
import { performance } from 'node:perf_hooks';
import {
  type CommittedCheckpoint,
  type FileContent,
  type FileScope,
  ForwardingCheckpointStorage,
  type WriterLease,
  type WrittenFile,
} from '@statebackend/aws-base/spi';

/** The phases of one checkpoint, in ms. */
export interface CheckpointPhases {
  /** From the first data file's start to the last one's end. */
  dataFiles: number;
  /** Inside the encoder (waiting for each next chunk), its pauses for the event loop included. */
  encoding: number;
  commit: number;
  /** `performance.now()` when the first data file began. */
  startedAt: number;
  /** When the encoder handed out the last chunk of the last data file so far. */
  encodedAt: number;
  /** When the last data file so far was stored. */
  dataFilesAt: number;
  /** When the commit ended. */
  committedAt: number;
}

export class PhaseTimingStorage extends ForwardingCheckpointStorage {
  /** Per checkpoint id, in the order they were written. */
  readonly phases = new Map<number, CheckpointPhases>();

  #phasesOf(checkpointId: number): CheckpointPhases {
    let phases = this.phases.get(checkpointId);
    if (phases === undefined) {
      phases = {
        dataFiles: 0,
        encoding: 0,
        commit: 0,
        startedAt: 0,
        encodedAt: 0,
        dataFilesAt: 0,
        committedAt: 0,
      };
      this.phases.set(checkpointId, phases);
    }
    return phases;
  }

  override async writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    const phases = this.#phasesOf(checkpointId);
    const timed =
      content instanceof Uint8Array || !(Symbol.asyncIterator in content)
        ? content
        : timedChunks(content, phases);
    const start = performance.now();
    if (phases.startedAt === 0) phases.startedAt = start;
    try {
      return await this.inner.writeFile(lease, checkpointId, scope, timed);
    } finally {
      phases.dataFilesAt = performance.now();
      phases.dataFiles += phases.dataFilesAt - start;
    }
  }

  override async commit(
    lease: WriterLease,
    checkpointId: number,
    metadata: Uint8Array,
  ): Promise<CommittedCheckpoint> {
    const phases = this.#phasesOf(checkpointId);
    const start = performance.now();
    try {
      return await this.inner.commit(lease, checkpointId, metadata);
    } finally {
      phases.committedAt = performance.now();
      phases.commit += phases.committedAt - start;
    }
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
    const end = performance.now();
    phases.encoding += end - start;
    if (next.done === true) {
      phases.encodedAt = end;
      return;
    }
    yield next.value;
  }
}
