import {
  assignToKeyGroup,
  CheckpointingHeapBackendBuilder,
  type CheckpointingKeyedStateBackend,
  type CheckpointStorage,
  computeKeyGroupRangeForOperatorIndex,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { HandoverStore } from './handover-scenario.js';
import type { StepScheduler } from './step-scheduler.js';

const values = new ValueStateDescriptor('value', Serializers.string, '');
type Backend = CheckpointingKeyedStateBackend<string>;

/** Keys spread over many key groups of both halves of 128. */
const KEYS = Array.from({ length: 40 }, (_, i) => `key-${i}`);

function build(storage: CheckpointStorage, index: number, restore: boolean): Promise<Backend> {
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: 'job',
      operatorId: 'op',
      keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, 2, index),
      maxParallelism: 128,
      keySerializer: Serializers.string,
    },
    {
      checkpointStorage: storage,
      incremental: true,
      retainedCheckpoints: 1,
      ...(restore ? { restoreFrom: 'latest' as const, restore: { mode: 'lazy' as const } } : {}),
    },
  ).build();
}

/** The keys of `backend`'s key groups. */
const keysOf = (backend: Backend): string[] =>
  KEYS.filter((key) =>
    backend.keyGroupRange.contains(assignToKeyGroup(Serializers.string.serialize(key), 128)),
  );

/** Writes `key@id` for each of `keys` and records it in `expected`. */
async function write(backend: Backend, keys: readonly string[], id: number, expected: Map<string, string>) {
  for (const key of keys) {
    await backend.withKey(key, (ctx) => ctx.getState(values).update(`${key}@${id}`));
    expected.set(key, `${key}@${id}`);
  }
}

/**
 * One run of the carried-file scenario under `scheduler` (stores with `storageFor` only): writers
 * X (key groups 0-63) and W (64-127) committed checkpoint 1, incrementally. During the run, N
 * claims X's range (fencing X) and restores lazily, then checkpoints 2 touching one key group:
 * the others stay in X's files, referenced. Beside it, W checkpoints 2 and both retentions run
 * (each told checkpoint 2 completed). X's files are then a fenced writer's, which W's retention
 * may take for garbage while N's checkpoint 2 carries them. Afterwards a fresh owner of every key
 * group restores the latest checkpoint: every value must be the last one committed (a missing
 * file fails the restore). Throws a message with the order of steps when it does not hold.
 */
export async function runCarriedFileScenario(
  store: HandoverStore,
  location: string,
  scheduler: StepScheduler,
): Promise<void> {
  const storageFor = store.storageFor?.bind(store);
  if (storageFor === undefined) throw new Error(`${store.name} gives no storageFor`);
  const open = (owner: string, index: number, restore: boolean) =>
    build(storageFor(location, owner, scheduler.gate), index, restore);
  // Before the run (its steps pass the gate freely).
  const expected = new Map<string, string>();
  const x = await open('X', 0, false);
  const w = await open('W', 1, false);
  await write(x, keysOf(x), 1, expected);
  await write(w, keysOf(w), 1, expected);
  await Promise.all([x.snapshot(1), w.snapshot(1)]);
  await Promise.all([x.notifyCheckpointComplete(1), w.notifyCheckpointComplete(1)]);
  await x.dispose();
  const backends: Backend[] = [w];
  const wExpected = new Map<string, string>();
  const nExpected = new Map<string, string>();

  const outcomes = await scheduler.run({
    N: async () => {
      const n = await open('N', 0, true);
      backends.push(n);
      await write(n, keysOf(n).slice(0, 1), 2, nExpected);
      await n.snapshot(2);
      await n.notifyCheckpointComplete(2);
      return 'committed';
    },
    W: async () => {
      await write(w, keysOf(w), 2, wExpected);
      await w.snapshot(2);
      await w.notifyCheckpointComplete(2);
      return 'committed';
    },
  });

  const problems: string[] = [];
  for (const [owner, outcome] of Object.entries(outcomes)) {
    if (outcome instanceof Error) problems.push(`${owner} failed: ${outcome.name}: ${outcome.message}`);
  }
  for (const backend of backends) await backend.dispose();
  if (problems.length === 0) {
    for (const [key, value] of [...wExpected, ...nExpected]) expected.set(key, value);
    try {
      const reader = await new CheckpointingHeapBackendBuilder(
        {
          jobId: 'job',
          operatorId: 'op',
          keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, 1, 0),
          maxParallelism: 128,
          keySerializer: Serializers.string,
        },
        {
          checkpointStorage: storageFor(location, 'reader', scheduler.gate),
          restoreFrom: 'latest',
          restore: { mode: 'eager' },
          keepHistory: true,
        },
      ).build();
      try {
        for (const key of KEYS) {
          const restored = await reader.withKey(key, (ctx) => ctx.getState(values).value());
          if (restored !== (expected.get(key) ?? ''))
            problems.push(`${key} restored as '${restored}', not '${expected.get(key) ?? ''}'`);
        }
      } finally {
        await reader.dispose();
      }
    } catch (error) {
      problems.push(`the latest checkpoint does not restore: ${String(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Carried files lost on ${store.name}: ${problems.join('; ')}.\n` +
        `Outcomes: ${JSON.stringify(Object.fromEntries(Object.entries(outcomes).map(([o, v]) => [o, String(v)])))}\n` +
        `Steps:\n  ${scheduler.trace.join('\n  ')}`,
    );
  }
}
