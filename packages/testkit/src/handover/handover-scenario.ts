import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingKeyedStateBackend,
  type CheckpointStorage,
  FencedError,
  KeyGroupRange,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { ForwardingCheckpointStorage, type WriterLease } from '@statebackend/aws-base/spi';
import type { StepGate, StepScheduler } from './step-scheduler.js';

/**
 * A store under test: the checkpoint storage each owner uses under a location, with its
 * requests (or, for a store whose operations are atomic, its storage calls) passing `gate`.
 * A store whose backends do not sit on a `CheckpointStorage` (DynamoDB) gives `openBackend`.
 */
export interface HandoverStore {
  readonly name: string;
  storageFor?(location: string, owner: string, gate: StepGate): CheckpointStorage;
  /** Builds `owner`'s backend (restoring the latest checkpoint when `restore`); `epoch()` is its claim's, once claimed. */
  openBackend?(
    location: string,
    owner: string,
    gate: StepGate,
    restore: boolean,
  ): Promise<{ readonly backend: CheckpointingKeyedStateBackend<string>; epoch(): number | undefined }>;
}

/** Which owners race. */
export type HandoverScenarioName =
  /** A commits checkpoint 2 (then its retention) while B claims and restores the latest. */
  | 'commit-vs-claim'
  /** As above, and B then commits checkpoint 3 (then discards and retains) while C claims and restores. */
  | 'three-owners';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const RANGE = KeyGroupRange.of(0, 127);
type Backend = CheckpointingKeyedStateBackend<string>;

/** Records the lease each owner's claim returned. */
class LeaseRecordingStorage extends ForwardingCheckpointStorage {
  lease: WriterLease | undefined;
  override async claim(range: KeyGroupRange): Promise<WriterLease> {
    this.lease = await super.claim(range);
    return this.lease;
  }
}

function build(storage: CheckpointStorage, restore: boolean): Promise<Backend> {
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: 'job',
      operatorId: 'op',
      keyGroupRange: RANGE,
      maxParallelism: 128,
      keySerializer: Serializers.string,
    },
    {
      checkpointStorage: storage,
      retainedCheckpoints: 1,
      ...(restore ? { restoreFrom: 'latest' as const } : {}),
    },
  ).build();
}

async function value(backend: Backend): Promise<number> {
  return backend.withKey('k', (ctx) => ctx.getState(counts).value());
}

async function checkpoint(backend: Backend, id: number): Promise<'ok' | 'fenced'> {
  await backend.withKey('k', (ctx) => ctx.getState(counts).update(id));
  try {
    await backend.snapshot(id);
  } catch (error) {
    if (error instanceof FencedError) return 'fenced';
    throw error;
  }
  await backend.notifyCheckpointComplete(id);
  return 'ok';
}

/**
 * One run of a handover scenario under `scheduler`, checking the handover invariant; throws a
 * message with the order of steps when it does not hold. The state's value is the id of the
 * checkpoint it was taken for, so a restored value names the checkpoint restored.
 *
 * The invariant, per run:
 * - the old owners' commits fail only with `FencedError`; every build succeeds;
 * - whatever an owner restored was a commit its writer was told succeeded (nothing withdrawn was
 *   ever read), and an owner that claimed after a writer's acknowledged commit restored at least
 *   that checkpoint (claims are ordered by epoch);
 * - afterwards a fresh owner restores exactly the newest acknowledged checkpoint.
 */
export async function runHandoverScenario(
  store: HandoverStore,
  scenario: HandoverScenarioName,
  location: string,
  scheduler: StepScheduler,
): Promise<void> {
  const epochs = new Map<string, () => number | undefined>();
  const open = async (owner: string, restore: boolean): Promise<Backend> => {
    if (store.openBackend !== undefined) {
      const opened = await store.openBackend(location, owner, scheduler.gate, restore);
      epochs.set(owner, () => opened.epoch());
      return opened.backend;
    }
    if (store.storageFor === undefined)
      throw new Error(`${store.name} gives neither storageFor nor openBackend`);
    const storage = new LeaseRecordingStorage(store.storageFor(location, owner, scheduler.gate));
    epochs.set(owner, () => storage.lease?.epoch);
    return build(storage, restore);
  };
  const backends: Backend[] = [];
  // Before the run (its steps pass the gate freely): A owns checkpoint 1 and has changed the state.
  const a = await open('A', false);
  backends.push(a);
  await checkpoint(a, 1);
  const acked = new Map<number, string>([[1, 'A']]);
  const restored = new Map<string, number>();

  const restoreAs = (owner: string) => async () => {
    const backend = await open(owner, true);
    backends.push(backend);
    restored.set(owner, await value(backend));
    return backend;
  };
  const tasks: Record<string, () => Promise<unknown>> = {
    A: async () => {
      const outcome = await checkpoint(a, 2);
      if (outcome === 'ok') acked.set(2, 'A');
      return outcome;
    },
    B: async () => {
      const b = await restoreAs('B')();
      if (scenario !== 'three-owners') return 'restored';
      const outcome = await checkpoint(b, 3);
      if (outcome === 'ok') acked.set(3, 'B');
      return outcome;
    },
  };
  if (scenario === 'three-owners') {
    tasks.C = async () => {
      await restoreAs('C')();
      return 'restored';
    };
  }
  const outcomes = await scheduler.run(tasks);

  const problems: string[] = [];
  for (const [owner, outcome] of Object.entries(outcomes)) {
    if (outcome instanceof Error) problems.push(`${owner} failed: ${outcome.name}: ${outcome.message}`);
  }
  const epochOf = (owner: string) => epochs.get(owner)?.() ?? Number.NaN;
  const writerOf = (id: number) => (id === 1 || id === 2 ? 'A' : 'B');
  for (const [owner, id] of restored) {
    if (!acked.has(id)) problems.push(`${owner} restored checkpoint ${id}, whose commit failed`);
    for (const [ackedId, writer] of acked) {
      if (epochOf(owner) > epochOf(writer) && id < ackedId && writerOf(ackedId) === writer) {
        problems.push(`${owner} claimed after ${writer} committed ${ackedId}, yet restored ${id}`);
      }
    }
  }
  for (const backend of backends) await backend.dispose();
  const fresh = await open('D', true);
  const final = await value(fresh);
  await fresh.dispose();
  const newest = Math.max(...acked.keys());
  if (final !== newest)
    problems.push(`a fresh owner restored ${final}, not ${newest}, the newest acknowledged`);
  if (problems.length > 0) {
    throw new Error(
      `Handover invariant broken on ${store.name} (${scenario}): ${problems.join('; ')}.\n` +
        `Outcomes: ${JSON.stringify(Object.fromEntries(Object.entries(outcomes).map(([o, v]) => [o, String(v)])))}\n` +
        `Steps:\n  ${scheduler.trace.join('\n  ')}`,
    );
  }
}
