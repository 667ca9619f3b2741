// A job that checkpoints into a local directory, run as a child process by
// sigkill-during-checkpoint.test.ts, which kills it with SIGKILL in the middle of checkpoint 2.
//
//   node --import ./resolve-ts.mjs checkpoint-child.ts <dir> <mode> <keys>
//
// mode `data-file`: checkpoint 2 stops (forever) once half of its data file is on disk.
// mode `commit`:    checkpoint 2 announces its commit and goes on; the kill races with it.
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointStorage,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import {
  type FileContent,
  type FileScope,
  ForwardingCheckpointStorage,
  type WriterLease,
} from '../../../src/spi.js';

export const JOB_ID = 'sigkill-job';
export const OPERATOR_ID = 'count';
export const values = new ValueStateDescriptor('value', Serializers.string);

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [directory, mode, keyCount] = process.argv.slice(2);
  if (directory === undefined || (mode !== 'data-file' && mode !== 'commit')) {
    throw new Error('usage: checkpoint-child.ts <dir> <data-file|commit> <keys>');
  }
  const keys = Array.from({ length: Number(keyCount ?? '1000') }, (_, i) => `key-${i}`);
  const local = new LocalCheckpointStorage({ directory, jobId: JOB_ID, operatorId: OPERATOR_ID });
  let armed = false;
  const storage: CheckpointStorage = new (class extends ForwardingCheckpointStorage {
    override writeFile(lease: WriterLease, checkpointId: number, scope: FileScope, content: FileContent) {
      return super.writeFile(
        lease,
        checkpointId,
        scope,
        armed && mode === 'data-file' ? halfThenStop(content) : content,
      );
    }
    override commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array) {
      if (armed) send({ event: 'committing', checkpointId });
      return super.commit(lease, checkpointId, metadata);
    }
  })(local);

  const backend = await new CheckpointingHeapBackendBuilder(
    {
      jobId: JOB_ID,
      operatorId: OPERATOR_ID,
      keyGroupRange: KeyGroupRange.of(0, 127),
      maxParallelism: 128,
      keySerializer: Serializers.string,
    },
    { checkpointStorage: storage },
  ).build();
  for (const key of keys) await backend.withKey(key, (ctx) => ctx.getState(values).update(`${key}@1`));
  await backend.snapshot(1, 'one');
  await backend.notifyCheckpointComplete(1);
  for (const key of keys) await backend.withKey(key, (ctx) => ctx.getState(values).update(`${key}@2`));
  armed = true;
  await backend.snapshot(2, 'two');
  send({ event: 'committed', checkpointId: 2 });
  await new Promise(() => undefined); // wait for the parent's SIGKILL
}

async function* halfThenStop(content: FileContent): AsyncGenerator<Uint8Array> {
  const chunks = content instanceof Uint8Array ? [content] : content;
  for await (const chunk of chunks) {
    yield chunk.subarray(0, chunk.length >> 1);
    // The half above is written once this generator is asked for more.
    send({ event: 'half-written', bytes: chunk.length >> 1 });
    await new Promise(() => undefined);
  }
}

main().catch((error: unknown) => {
  send({ event: 'error', message: String(error) });
  process.exitCode = 1;
});
