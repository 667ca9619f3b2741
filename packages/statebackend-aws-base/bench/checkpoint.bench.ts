// Checkpoints of 1M small entries (string key, int value) in a local directory, each measure a
// ratio against a baseline taken in the same run, so machine speed cancels out:
//
// 1. full snapshot (freeze + serialize + write + fsync + commit) / writing the same number of
//    bytes to one file and fsyncing it;
// 2. restore (find the latest checkpoint, read, verify, decode and load into the heap tables) /
//    reading the data file, verifying its blocks and decoding its entries into plain Maps (one per
//    key group) by a loop written for exactly these entries (the limit plain code reaches, not a naive decoder);
// 3. the synchronous part of snapshot() (what blocks record processing) / the whole snapshot;
// 4. bytes an incremental checkpoint writes after 1% of the keys changed / a full checkpoint's,
//    at 128 key groups (the default) and at 32768 (delta checkpoints write the changed entries
//    only, so the number of key groups hardly matters; the goal is at most 5%), and at 128 key
//    groups the mean over a cycle of 9 such checkpoints, the last of which compacts the chains.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
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
import { findLatestCompleteCheckpoint, KeyGroupFileReader, type RandomAccessFile } from '../dist/spi.js';
import { runQueueWaitMs } from './harness.mjs';

const ENTRIES = 1_000_000;
const ROUNDS = 5;
const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const keys = Array.from({ length: ENTRIES }, (_, i) => `user-${i}`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

function build(
  directory: string,
  maxParallelism: number,
  options: { incremental?: boolean; restore?: boolean } = {},
): Promise<CheckpointingHeapKeyedStateBackend<string>> {
  // Incremental writers have a location of their own: their ids do not collide with the full ones.
  const operatorId = `op-${maxParallelism}${options.incremental === true ? '-incremental' : ''}`;
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: 'bench',
      operatorId,
      keyGroupRange: KeyGroupRange.of(0, maxParallelism - 1),
      maxParallelism,
      keySerializer: Serializers.string,
    },
    {
      checkpointStorage: new LocalCheckpointStorage({
        directory,
        jobId: 'bench',
        operatorId,
      }),
      incremental: options.incremental ?? false,
      retainedCheckpoints: 1,
      ...(options.restore === true
        ? // A full restore: eager (the default, lazy, hands the backend out before it loads).
          {
            restoreFrom: 'latest' as const,
            restore: { mode: 'eager' as const },
            states: [{ descriptor: counts }],
          }
        : {}),
    },
  ).build();
}

async function fill(
  backend: CheckpointingHeapKeyedStateBackend<string>,
  round: number,
  every = 1,
): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let i = 0; i < keys.length; i += every) {
    pending.push(backend.withKey(keys[i] as string, (ctx) => ctx.getState(counts).update(i + round)));
    if (pending.length === 10_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

/**
 * The baseline's decoding: what plain code that knows this bench's entries does (one state,
 * one-byte lengths, ASCII keys, 4-byte ints, no namespace, map key or TTL), in one tight loop
 * into a Map, with no checks beyond the block's checksum the reader verified.
 */
function decodePlainly(bytes: Uint8Array, entries: number, map: Map<string, number>): void {
  let p = 0;
  for (let i = 0; i < entries; i++) {
    p += 2; // flags, state index
    const keyLength = bytes[p++] as number;
    let key = '';
    for (let end = p + keyLength; p < end; p++) key += String.fromCharCode(bytes[p] as number);
    p += 1 + (bytes[p] as number); // the namespace
    p++; // the value's length, 4
    map.set(
      key,
      ((bytes[p] as number) << 24) |
        ((bytes[p + 1] as number) << 16) |
        ((bytes[p + 2] as number) << 8) |
        (bytes[p + 3] as number),
    );
    p += 4;
  }
  if (p !== bytes.length) throw new Error('the bench entries are not the plain ones decodePlainly reads');
}

async function writeAndSync(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const directory = await mkdtemp(join(tmpdir(), 'checkpoint-bench-'));
try {
  const backend = await build(directory, 128);
  await fill(backend, 0);

  // 1 and 3: full snapshots against writing their bytes; sync part against the whole.
  const snapshotMs: number[] = [];
  const syncFractions: number[] = [];
  const rawWriteMs: number[] = [];
  let dataFile = '';
  let dataBytes = 0;
  // Where a snapshot's time goes besides the write: the main thread's CPU time (in the kernel's
  // ticks of up to 4 ms, so only the median over the rounds says much) and its wait for a CPU.
  const snapshotCpuMs: number[] = [];
  const snapshotRunQueueMs: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const cpuBefore = process.threadCpuUsage();
    const waitBefore = runQueueWaitMs() ?? 0;
    const started = performance.now();
    const pending = backend.snapshot(round);
    const syncMs = performance.now() - started;
    const completed = await pending;
    const totalMs = performance.now() - started;
    const cpu = process.threadCpuUsage(cpuBefore);
    snapshotCpuMs.push((cpu.user + cpu.system) / 1000);
    snapshotRunQueueMs.push((runQueueWaitMs() ?? 0) - waitBefore);
    snapshotMs.push(totalMs);
    syncFractions.push(syncMs / totalMs);
    await backend.notifyCheckpointComplete(round);
    const file = completed.metadata.files[0];
    dataFile = join(directory, 'bench', 'op-128', file?.path ?? '');
    dataBytes = completed.bytesWritten;
    const bytes = await readFile(dataFile);
    const rawStarted = performance.now();
    await writeAndSync(join(directory, `raw-${round}.bin`), bytes);
    rawWriteMs.push(performance.now() - rawStarted);
  }
  const lastId = ROUNDS;
  await backend.dispose();

  // 2: restore against reading the data file and decoding its entries into Maps by plain code.
  const restoreMs: number[] = [];
  const decodeMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const restored = await build(directory, 128, { restore: true });
    restoreMs.push(performance.now() - started);
    if (restored.restored?.checkpointId !== lastId || restored.restored.entries !== ENTRIES) {
      throw new Error(
        `restored ${restored.restored?.entries} entries of checkpoint ${restored.restored?.checkpointId}`,
      );
    }
    await restored.dispose();

    const decodeStarted = performance.now();
    const bytes = new Uint8Array(await readFile(dataFile));
    const file: RandomAccessFile = {
      name: dataFile,
      size: bytes.length,
      read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    };
    const reader = await KeyGroupFileReader.open(file, 'data');
    // A Map per key group: one Map of 1M entries took twice as long to fill on this machine.
    const maps = new Map<number, Map<string, number>>();
    await reader.forEachBlock(KeyGroupRange.of(0, 127), (block, blockBytes) => {
      const map = new Map<string, number>();
      maps.set(block.keyGroup, map);
      decodePlainly(blockBytes, block.entries, map);
    });
    decodeMs.push(performance.now() - decodeStarted);
    const decoded = [...maps.values()].reduce((n, map) => n + map.size, 0);
    if (decoded !== ENTRIES) throw new Error(`decoded ${decoded} entries`);
  }

  // 4: incremental bytes after 1% of the keys changed, at two numbers of key groups.
  const incremental: { maxParallelism: number; ratio: number }[] = [];
  let cycleRatio = 0;
  for (const maxParallelism of [128, 32_768]) {
    const writer = await build(directory, maxParallelism, { incremental: true });
    await fill(writer, 0);
    const full = await writer.snapshot(1);
    await writer.notifyCheckpointComplete(1);
    await fill(writer, 1, 100);
    const delta = await writer.snapshot(2);
    if (delta.snapshotType !== 'incremental' || !delta.metadata.files.some((f) => f.delta === true)) {
      throw new Error('the second snapshot did not write deltas');
    }
    incremental.push({ maxParallelism, ratio: delta.bytesWritten / full.bytesWritten });
    if (maxParallelism === 128) {
      // A whole cycle: 8 deltas, then the chains are compacted (written whole) by the 9th.
      let written = delta.bytesWritten;
      for (let id = 3; id <= 10; id++) {
        await writer.notifyCheckpointComplete(id - 1);
        await fill(writer, id, 100);
        written += (await writer.snapshot(id)).bytesWritten;
      }
      cycleRatio = written / 9 / full.bytesWritten;
    }
    await writer.dispose();
  }
  const latest = await findLatestCompleteCheckpoint(
    new LocalCheckpointStorage({ directory, jobId: 'bench', operatorId: 'op-128' }),
    KeyGroupRange.of(0, 127),
  );

  const mb = (dataBytes / 1024 / 1024).toFixed(1);
  console.log(
    `\nCheckpoints of ${ENTRIES.toLocaleString('en-US')} entries (${mb} MiB of data), median of ${ROUNDS}`,
  );
  const rows: [string, string, string][] = [
    [
      'full snapshot / write + fsync same bytes',
      `${median(snapshotMs).toFixed(0)} ms / ${median(rawWriteMs).toFixed(0)} ms`,
      `${(median(snapshotMs) / median(rawWriteMs)).toFixed(2)}x`,
    ],
    [
      "  the snapshot's main-thread CPU / write + fsync",
      `${median(snapshotCpuMs).toFixed(0)} ms / ${median(rawWriteMs).toFixed(0)} ms`,
      `${(median(snapshotCpuMs) / median(rawWriteMs)).toFixed(2)}x`,
    ],
    [
      'restore / read + plain decode into Maps',
      `${median(restoreMs).toFixed(0)} ms / ${median(decodeMs).toFixed(0)} ms`,
      `${(median(restoreMs) / median(decodeMs)).toFixed(2)}x`,
    ],
    ['synchronous part / whole snapshot', 'goal < 5%', `${(median(syncFractions) * 100).toFixed(2)}%`],
    ...incremental.map(({ maxParallelism, ratio }): [string, string, string] => [
      `incremental bytes, 1% of keys changed, ${maxParallelism} key groups / full`,
      'goal <= 5%',
      `${(ratio * 100).toFixed(1)}%`,
    ]),
    [
      'same, 128 key groups, mean of 9 checkpoints (8 deltas + compaction)',
      '',
      `${(cycleRatio * 100).toFixed(1)}%`,
    ],
  ];
  for (const [name, detail, ratio] of rows)
    console.log(`${name.padEnd(66)} ${detail.padStart(20)} ${ratio.padStart(9)}`);

  const ms = (value: number): string => `${value.toFixed(0)} ms`;
  recordResult({
    id: 'heap.snapshot.vs-fsync',
    label: `full snapshot of ${ENTRIES / 1e6}M entries (local storage) / writing and fsyncing the same bytes`,
    value: median(snapshotMs) / median(rawWriteMs),
    unit: 'x',
    better: 'lower',
    goal: 3,
    detail:
      `${ms(median(snapshotMs))} vs ${ms(median(rawWriteMs))} (write + fsync ${ms(Math.min(...rawWriteMs))} to ` +
      `${ms(Math.max(...rawWriteMs))}); the snapshot's main thread: ${ms(median(snapshotCpuMs))} of CPU, ` +
      `${ms(median(snapshotRunQueueMs))} waiting for a CPU`,
  });
  // What the figure above cannot go below on this machine however idle: the main thread's own work.
  recordResult({
    id: 'heap.snapshot.cpu-vs-fsync',
    label: `main-thread CPU time of that snapshot / writing and fsyncing the same bytes`,
    value: median(snapshotCpuMs) / median(rawWriteMs),
    unit: 'x',
    better: 'lower',
    detail: `${ms(median(snapshotCpuMs))} vs ${ms(median(rawWriteMs))}`,
  });
  // As a speed, like the S3 restore's figure: the baseline's time over the restore's.
  recordResult({
    id: 'heap.restore.vs-decode',
    label: `local restore of ${ENTRIES / 1e6}M entries / reading the file and decoding it into Maps (one per key group) by plain code written for these entries (speed)`,
    value: median(decodeMs) / median(restoreMs),
    unit: 'x',
    better: 'higher',
    goal: 0.8,
    detail: `${ms(median(restoreMs))} vs ${ms(median(decodeMs))}`,
  });
  recordResult({
    id: 'heap.snapshot.sync-fraction',
    label: 'synchronous part of snapshot() / the whole snapshot',
    value: median(syncFractions) * 100,
    unit: '%',
    better: 'lower',
    goal: 5,
  });
  for (const { maxParallelism, ratio } of incremental) {
    recordResult({
      id: `heap.incremental.vs-full.kg${maxParallelism}`,
      label: `incremental bytes after changing 1% of keys / full, ${maxParallelism} key groups`,
      value: ratio * 100,
      unit: '%',
      better: 'lower',
      goal: 5,
    });
  }
  recordResult({
    id: 'heap.incremental.cycle-vs-full.kg128',
    label: 'same, 128 key groups, mean over 9 checkpoints (8 deltas, then compaction)',
    value: cycleRatio * 100,
    unit: '%',
    better: 'lower',
  });
  if (latest?.checkpointId !== lastId) throw new Error('the benchmark lost its checkpoint');
} finally {
  await rm(directory, { recursive: true, force: true });
}
