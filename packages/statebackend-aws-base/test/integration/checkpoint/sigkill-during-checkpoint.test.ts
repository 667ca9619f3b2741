import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointingHeapBackendBuilder,
  KeyGroupRange,
  LocalCheckpointStorage,
  listCheckpoints,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from '../../unit/checkpoint/fixtures.js';

// The child runs the TypeScript sources directly through module hooks (ts-hooks.mjs) that compile
// them with SWC, as jest does, and map the sources' `.js` imports to `.ts`: no build is needed,
// any supported Node version works, and the child runs exactly the code under test.
const KEYS = 3000;
const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
const values = new ValueStateDescriptor('value', Serializers.string);
const JOB_ID = 'sigkill-job';
const OPERATOR_ID = 'count';

function startChild(directory: string, mode: 'data-file' | 'commit'): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      join(__dirname, 'resolve-ts.mjs'),
      join(__dirname, 'checkpoint-child.ts'),
      directory,
      mode,
      String(KEYS),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
}

/** Resolves with the first message of `event` the child sends; rejects if it exits first. */
async function waitFor(child: ChildProcess, event: string): Promise<Record<string, unknown>> {
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`the child exited (code ${code}, signal ${signal}) before sending '${event}'`);
  });
  const received = (async () => {
    for (;;) {
      const [message] = (await once(child, 'message')) as [Record<string, unknown>];
      if (message.event === 'error') throw new Error(`the child failed: ${String(message.message)}`);
      if (message.event === event) return message;
    }
  })();
  return Promise.race([received, exited]);
}

async function kill(child: ChildProcess): Promise<void> {
  const exit = once(child, 'exit');
  child.kill('SIGKILL');
  const [, signal] = await exit;
  expect(signal).toBe('SIGKILL');
}

function build(directory: string) {
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: JOB_ID,
      operatorId: OPERATOR_ID,
      keyGroupRange: KeyGroupRange.of(0, 127),
      maxParallelism: 128,
      keySerializer: Serializers.string,
    },
    {
      checkpointStorage: new LocalCheckpointStorage({ directory, jobId: JOB_ID, operatorId: OPERATOR_ID }),
      restoreFrom: 'latest',
      states: [{ descriptor: values }],
    },
  ).build();
}

async function valuesOf(backend: Awaited<ReturnType<typeof build>>): Promise<Set<string>> {
  const rounds = new Set<string>();
  for (const key of keys) {
    const value = await backend.withKey(key, (ctx) => ctx.getState(values).value());
    rounds.add(value === undefined ? 'missing' : (value.split('@')[1] ?? 'malformed'));
  }
  return rounds;
}

describe('a process killed with SIGKILL while writing a checkpoint', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) await kill(child);
    child = undefined;
    await dir.remove();
  });

  it('restores exactly checkpoint N, and nothing of the half-written N+1', async () => {
    child = startChild(dir.path, 'data-file');
    await waitFor(child, 'half-written');
    await kill(child);

    const base = join(dir.path, JOB_ID, OPERATOR_ID);
    const leftovers = await readdir(join(base, 'chk-2'));
    expect(leftovers.filter((name) => name.endsWith('.sbkg'))).toHaveLength(1);
    expect(leftovers.filter((name) => name.startsWith('_metadata'))).toEqual([]);

    const restored = await build(dir.path);
    expect(restored.restored?.checkpointId).toBe(1);
    expect(restored.restored?.userMetadata.map((m) => m.metadata)).toEqual(['one']);
    expect(await valuesOf(restored)).toEqual(new Set(['1']));

    // The restarted job checkpoints on; the half-written file of the dead one is cleaned up.
    await restored.snapshot(2, 'two again');
    await restored.notifyCheckpointComplete(2);
    const dead = leftovers.find((name) => name.endsWith('.sbkg'));
    expect(await readdir(join(base, 'chk-2'))).not.toContain(dead);
    const storage = new LocalCheckpointStorage({
      directory: dir.path,
      jobId: JOB_ID,
      operatorId: OPERATOR_ID,
    });
    expect((await listCheckpoints(storage)).map((c) => c.checkpointId)).toEqual([2]);
    expect((await storage.listFiles()).map((f) => f.path)).toEqual(
      (await listCheckpoints(storage)).flatMap((c) =>
        c.parts.flatMap((p) => p.metadata.files.map((f) => f.path)),
      ),
    );
    await restored.dispose();
  });

  it('restores checkpoint N or N+1 whole when killed while committing, and checkpoints on', async () => {
    child = startChild(dir.path, 'commit');
    await waitFor(child, 'committing');
    await kill(child);

    const restored = await build(dir.path);
    const id = restored.restored?.checkpointId;
    expect([1, 2]).toContain(id);
    expect(await valuesOf(restored)).toEqual(new Set([String(id)]));
    expect(restored.restored?.userMetadata.map((m) => m.metadata)).toEqual([id === 1 ? 'one' : 'two']);
    await expect(restored.snapshot(3)).resolves.toMatchObject({ checkpointId: 3 });
    await restored.dispose();
  });
});
