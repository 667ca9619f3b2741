// Time from the start of a restore to the first processed record, at 1M and 10M entries, for the
// S3 backend against moto: how long a restarted job waits before it processes anything, and how
// that grows with the state. The figure is t(10M) / t(1M); the goal (issue 17) is at most 1.5, a
// restart independent of the state's size.
//
// Each size is checkpointed once (a ValueState<int> under short string keys, the backend's
// defaults: zstd, 64 MiB data files), then restored in a new process per round (the rounds of
// the sizes alternate, after both are checkpointed), so that nothing
// of the writer is warm: the clock starts before the keyed backend is created (claim, commit
// records, downloads), and stops when a record for one key has read and updated its state.
//
// Both restore modes are measured on the same checkpoints. The ids without a mode are the default
// mode's (lazy: ranged reads of the key group a record needs, the rest behind it); the other
// mode's carry `.eager`. A lazy round stops at the first record.
//
// STATEBACKEND_BENCH_FIRST_RECORD_SIZES=1000000 (comma-separated) measures other sizes; the
// ratio needs both 1M and 10M and is reported as not measured otherwise. ..._ROUNDS (default 3).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  Configuration,
  type KeyedStateBackendParameters,
  KeyGroupRange,
  type RestoreMode,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { startEmulator } from '@statebackend/testkit';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { S3StateBackend } from '../dist/index.js';

const BUCKET = 'bench-first-record';
const MAX_PARALLELISM = 128;
const counts = new ValueStateDescriptor('count', Serializers.int, 0);
/** The restore mode of the backend's defaults, whose figures carry no mode in their ids. */
const DEFAULT_MODE: RestoreMode = 'lazy';
const MODES: readonly RestoreMode[] = ['lazy', 'eager'];

function stateBackend(endpoint: string): { client: S3Client; backend: S3StateBackend } {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const backend = new S3StateBackend(Configuration.fromObject({ 'aws.region': 'us-east-1' }), {
    client,
    location: { bucket: BUCKET, prefix: 'first-record' },
    retainedCheckpoints: 1,
  });
  return { client, backend };
}

function parameters(jobId: string): KeyedStateBackendParameters<string> {
  return {
    jobId,
    operatorId: 'op',
    keyGroupRange: KeyGroupRange.of(0, MAX_PARALLELISM - 1),
    maxParallelism: MAX_PARALLELISM,
    keySerializer: Serializers.string,
  };
}

/** What one restore in a fresh process measured. */
interface Restored {
  /** From the start of the restore to the first record processed. */
  firstRecordMs: number;
  /** Of that, until the keyed backend was handed out. */
  buildMs: number;
  /** CPU time of the process (all its threads) over the same span: what the load cannot stretch. */
  cpuMs: number;
  /** Entries in the tables at the first record (all of them when eager, those loaded so far when lazy). */
  entries: number;
  rssMiB: number;
}

if (process.argv[2] === '--restore') {
  // The child: one restore, then one record, timed.
  const [endpoint = '', jobId = '', key = '', mode = DEFAULT_MODE] = process.argv.slice(3);
  const { client, backend } = stateBackend(endpoint);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const keyed = await backend.createKeyedStateBackend(parameters(jobId), {
    states: [{ descriptor: counts }],
    restoreMode: mode as RestoreMode,
  });
  const built = performance.now();
  const before = await keyed.withKey(key, async (ctx) => {
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
    entries: keyed.numEntries(),
    rssMiB: process.memoryUsage().rss / 1024 / 1024,
  };
  await keyed.dispose();
  await backend.close();
  client.destroy();
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
  const moto = await startEmulator('moto');
  const restoreInChild = (jobId: string, key: string, mode: RestoreMode): Promise<Restored> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--experimental-strip-types',
          '--no-warnings',
          import.meta.filename,
          '--restore',
          moto.endpoint,
          jobId,
          key,
          mode,
        ],
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

  const { client, backend } = stateBackend(moto.endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const medians = new Map<string, { ms: number; cpuMs: number }>();
    const suffix = (mode: RestoreMode) => (mode === DEFAULT_MODE ? '' : `.${mode}`);
    const jobIdOf = (size: number) => `first-record-${size}`;
    console.log(`First record after a restore, S3 backend on moto, median of ${rounds} alternated rounds`);
    for (const size of sizes) {
      const filling = performance.now();
      const writer = await backend.createKeyedStateBackend(parameters(jobIdOf(size)), {
        restoreFrom: 'none',
      });
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
        `${size.toLocaleString('en-US')} entries: filled and checkpointed (${mib} MiB uploaded) in ${((performance.now() - filling) / 1000).toFixed(1)} s`,
      );
    }
    // The sizes' rounds alternate, so that the emulator's and the machine's state (moto just
    // after storing a large checkpoint, another process's burst) falls on both sizes alike.
    const samples = new Map<string, Restored[]>();
    for (let round = 0; round < rounds; round++) {
      for (const mode of MODES) {
        for (const size of sizes) {
          const restored = await restoreInChild(jobIdOf(size), `k${size >> 1}`, mode);
          if (mode === 'eager' && restored.entries !== size)
            throw new Error(`restored ${restored.entries} entries, not ${size}`);
          const key = `${size}${suffix(mode)}`;
          samples.set(key, [...(samples.get(key) ?? []), restored]);
        }
      }
    }
    for (const size of sizes) {
      console.log(`${size.toLocaleString('en-US')} entries:`);
      for (const mode of MODES) {
        const taken = samples.get(`${size}${suffix(mode)}`) ?? [];
        const firstRecordMs = median(taken.map((s) => s.firstRecordMs));
        medians.set(`${size}${suffix(mode)}`, {
          ms: firstRecordMs,
          cpuMs: median(taken.map((s) => s.cpuMs)),
        });
        console.log(
          `  ${mode}: first record after ${firstRecordMs.toFixed(0)} ms (rounds: ${taken.map((s) => s.firstRecordMs.toFixed(0)).join(', ')} ms;` +
            ` backend handed out after ${median(taken.map((s) => s.buildMs)).toFixed(0)} ms;` +
            ` ${median(taken.map((s) => s.cpuMs)).toFixed(0)} ms of CPU;` +
            ` ${median(taken.map((s) => s.entries)).toLocaleString('en-US')} entries loaded by then;` +
            ` restoring process ${median(taken.map((s) => s.rssMiB)).toFixed(0)} MiB resident)`,
        );
        const millions = size / 1_000_000;
        recordResult({
          id: `s3.restore.first-record.${Number.isInteger(millions) ? `${millions}m` : size}-ms${suffix(mode)}`,
          label: `S3 restore of ${size.toLocaleString('en-US')} entries, ${mode}: start of the restore to the first processed record`,
          value: firstRecordMs,
          unit: 'ms',
          better: 'lower',
        });
      }
    }
    for (const mode of MODES) {
      const small = medians.get(`1000000${suffix(mode)}`);
      const large = medians.get(`10000000${suffix(mode)}`);
      if (small === undefined || large === undefined) {
        console.log(
          `  ${mode}, 10M / 1M: not measured (both sizes are needed; see STATEBACKEND_BENCH_FIRST_RECORD_SIZES)`,
        );
        continue;
      }
      console.log(
        `  ${mode}, 10M / 1M: ${(large.ms / small.ms).toFixed(2)}x   goal <= 1.5   (CPU time: ${(large.cpuMs / small.cpuMs).toFixed(2)}x)`,
      );
      recordResult({
        id: `s3.restore.first-record.10m-vs-1m${suffix(mode)}`,
        label: `S3 restore, ${mode}${mode === DEFAULT_MODE ? ' (the default)' : ''}: time to the first processed record, 10M entries / 1M entries`,
        value: large.ms / small.ms,
        unit: 'x',
        better: 'lower',
        goal: 1.5,
        detail: `${large.ms.toFixed(0)} ms vs ${small.ms.toFixed(0)} ms; CPU ${large.cpuMs.toFixed(0)} ms vs ${small.cpuMs.toFixed(0)} ms`,
      });
    }
  } finally {
    await backend.close();
    client.destroy();
    await moto.stop();
  }
}
