// Time from the start of a restore to the first processed record, at 1M and 10M entries, for the
// heap backend with local checkpoint storage: how long a restarted job waits before it processes
// anything, and how that grows with the state. The figure is t(10M) / t(1M); the goal (issue 17)
// is at most 1.5, a restart independent of the state's size.
//
// Each size is checkpointed once (a ValueState<int> under short string keys), then restored in a
// new process per round, so that nothing of the writer is warm: the clock starts before the
// backend is built (claim, commit records, data files), and stops when a record for one key has
// read and updated its state.
//
// STATEBACKEND_BENCH_FIRST_RECORD_SIZES=1000000 (comma-separated) measures other sizes; the
// ratio needs both 1M and 10M and is reported as not measured otherwise. ..._ROUNDS (default 3).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { recordResult } from '../../../scripts/bench-results.mjs';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../dist/index.js';

const MAX_PARALLELISM = 128;
const counts = new ValueStateDescriptor('count', Serializers.int, 0);

function build(directory: string, restore: boolean): Promise<CheckpointingHeapKeyedStateBackend<string>> {
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: 'first-record',
      operatorId: 'op',
      keyGroupRange: KeyGroupRange.of(0, MAX_PARALLELISM - 1),
      maxParallelism: MAX_PARALLELISM,
      keySerializer: Serializers.string,
    },
    {
      checkpointStorage: new LocalCheckpointStorage({ directory, jobId: 'first-record', operatorId: 'op' }),
      retainedCheckpoints: 1,
      ...(restore ? { restoreFrom: 'latest' as const, states: [{ descriptor: counts }] } : {}),
    },
  ).build();
}

/** What one restore in a fresh process measured. */
interface Restored {
  /** From the start of the restore to the first record processed. */
  firstRecordMs: number;
  /** Of that, until the backend was handed out. */
  buildMs: number;
  /** CPU time of the process (all its threads) over the same span: what the load cannot stretch. */
  cpuMs: number;
  entries: number;
  rssMiB: number;
}

if (process.argv[2] === '--restore') {
  // The child: one restore, then one record, timed.
  const [directory = '', key = ''] = process.argv.slice(3);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const backend = await build(directory, true);
  const built = performance.now();
  const before = await backend.withKey(key, async (ctx) => {
    const state = ctx.getState(counts);
    const value = await state.value();
    await state.update(value + 1);
    return value;
  });
  const firstRecordMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (before !== 1) throw new Error(`the first record read ${before} for ${key}, not the checkpointed 1`);
  const result: Restored = {
    firstRecordMs,
    buildMs: built - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    entries: backend.numEntries(),
    rssMiB: process.memoryUsage().rss / 1024 / 1024,
  };
  await backend.dispose();
  console.log(JSON.stringify(result));
} else {
  const sizes = (process.env.STATEBACKEND_BENCH_FIRST_RECORD_SIZES ?? '1000000,10000000')
    .split(',')
    .map((size) => Number(size.trim()));
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0)) {
    throw new Error(`STATEBACKEND_BENCH_FIRST_RECORD_SIZES: sizes must be positive integers, not ${sizes}`);
  }
  const rounds = Number(process.env.STATEBACKEND_BENCH_FIRST_RECORD_ROUNDS ?? '3');
  const median = (values: readonly number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[sorted.length >> 1] as number;
  };
  const restoreInChild = (directory: string, key: string): Promise<Restored> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--experimental-strip-types', '--no-warnings', import.meta.filename, '--restore', directory, key],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`the restoring process exited with ${code}`));
        else resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as Restored);
      });
    });

  const medians = new Map<number, { ms: number; cpuMs: number }>();
  console.log(`First record after a restore, heap backend and local checkpoint storage, median of ${rounds}`);
  for (const size of sizes) {
    const directory = await mkdtemp(join(tmpdir(), 'first-record-bench-'));
    try {
      const filling = performance.now();
      const writer = await build(directory, false);
      const pending: Promise<void>[] = [];
      for (let i = 0; i < size; i++) {
        pending.push(writer.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(1)));
        if (pending.length === 10_000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      const checkpoint = await writer.snapshot(1);
      await writer.notifyCheckpointComplete(1);
      await writer.dispose();
      const mib = (checkpoint.bytesWritten / 1024 / 1024).toFixed(0);
      console.log(
        `${size.toLocaleString('en-US')} entries: filled and checkpointed (${mib} MiB) in ${((performance.now() - filling) / 1000).toFixed(1)} s`,
      );
      const samples: Restored[] = [];
      for (let round = 0; round < rounds; round++) {
        const restored = await restoreInChild(directory, `k${size >> 1}`);
        if (restored.entries !== size) throw new Error(`restored ${restored.entries} entries, not ${size}`);
        samples.push(restored);
      }
      const firstRecordMs = median(samples.map((s) => s.firstRecordMs));
      medians.set(size, { ms: firstRecordMs, cpuMs: median(samples.map((s) => s.cpuMs)) });
      console.log(
        `  first record after ${firstRecordMs.toFixed(0)} ms (rounds: ${samples.map((s) => s.firstRecordMs.toFixed(0)).join(', ')} ms;` +
          ` backend handed out after ${median(samples.map((s) => s.buildMs)).toFixed(0)} ms;` +
          ` ${median(samples.map((s) => s.cpuMs)).toFixed(0)} ms of CPU;` +
          ` restoring process ${median(samples.map((s) => s.rssMiB)).toFixed(0)} MiB resident)`,
      );
      const millions = size / 1_000_000;
      recordResult({
        id: `heap.restore.first-record.${Number.isInteger(millions) ? `${millions}m` : size}-ms`,
        label: `local restore of ${size.toLocaleString('en-US')} entries: start of the restore to the first processed record`,
        value: firstRecordMs,
        unit: 'ms',
        better: 'lower',
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }
  const small = medians.get(1_000_000);
  const large = medians.get(10_000_000);
  if (small === undefined || large === undefined) {
    console.log(
      '  10M / 1M: not measured (both sizes are needed; see STATEBACKEND_BENCH_FIRST_RECORD_SIZES)',
    );
  } else {
    console.log(
      `  10M / 1M: ${(large.ms / small.ms).toFixed(2)}x   goal <= 1.5   (CPU time: ${(large.cpuMs / small.cpuMs).toFixed(2)}x)`,
    );
    recordResult({
      id: 'heap.restore.first-record.10m-vs-1m',
      label: 'local restore: time to the first processed record, 10M entries / 1M entries',
      value: large.ms / small.ms,
      unit: 'x',
      better: 'lower',
      goal: 1.5,
      detail: `${large.ms.toFixed(0)} ms vs ${small.ms.toFixed(0)} ms; CPU ${large.cpuMs.toFixed(0)} ms vs ${small.cpuMs.toFixed(0)} ms`,
    });
  }
}
