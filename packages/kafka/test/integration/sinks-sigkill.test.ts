// Other sinks under SIGKILL: a worker process writing to a file sink (one JSON line per record,
// keyed by its idempotence key) is killed between its state commit and its Kafka transaction, or
// in the middle of a sink write after the transaction committed; a worker in this process takes
// over. The file stands for a table: deduplicated by key (an upsert), it must hold every output
// exactly once with `after-commit`, and every output at least once with `at-least-once`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputSink, SinkRecord } from '../../src/index.js';
import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  inputRecords,
} from '../support/counting-job.js';
import {
  bootstrap,
  committedOffsets,
  createTopics,
  eventually,
  keyedProducer,
  uniqueName,
} from '../support/kafka-helpers.js';
import { WorkerProcess } from '../support/worker-processes.js';

const MAX_PARALLELISM = 4;
const ALL = expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15])));

/** Every line of the sink file, in write order. */
function writes(file: string): { k: string; v: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { k: string; v: string });
}

/** The table the writes make, one value per key; throws when a key was written with two values. */
function table(file: string): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const { k, v } of writes(file)) {
    const seen = byKey.get(k);
    if (seen !== undefined && seen !== v) throw new Error(`key ${k} written with ${seen} and ${v}`);
    byKey.set(k, v);
  }
  return byKey;
}

/** The same sink as the worker process's, in this process. */
function fileSink(file: string, delivery: 'after-commit' | 'at-least-once'): OutputSink {
  return {
    delivery,
    write: async (records: readonly SinkRecord[]) => {
      const { appendFileSync } = await import('node:fs');
      const lines = records.map(
        (r) =>
          `${JSON.stringify({ k: `${r.idempotenceKey.keyGroup}/${r.idempotenceKey.checkpointId}/${r.idempotenceKey.sequence}`, v: r.value.toString() })}\n`,
      );
      if (lines.length > 0) appendFileSync(file, lines.join(''));
    },
  };
}

describe('other sinks, a worker process killed with SIGKILL', () => {
  const dirs: { dir: string; remove(): void }[] = [];
  const producer = keyedProducer(MAX_PARALLELISM);
  const processes: WorkerProcess[] = [];
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await producer.close();
    for (const d of dirs) d.remove();
  });

  /**
   * 80 records committed and written by a worker process, 40 more, and the process dies as
   * `crash` says; then a worker of this process takes over until the table holds 120 values.
   */
  async function killedThenTakenOver(
    delivery: 'after-commit' | 'at-least-once',
    crash: { atCheckpoint: number } | { atWrite: number },
  ): Promise<{ file: string; exit: { signal: NodeJS.Signals | null } }> {
    const d = checkpointDir();
    dirs.push(d);
    const file = join(d.dir, 'sink.jsonl');
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('unused'),
      maxParallelism: MAX_PARALLELISM,
      checkpointDir: d.dir,
    };
    await createTopics([{ name: job.inputTopic, partitions: MAX_PARALLELISM }]);
    await producer.send(inputRecords(8, 10), job.inputTopic);
    const first = new WorkerProcess({
      ...job,
      bootstrap: bootstrap(),
      workerId: 'first',
      ...('atCheckpoint' in crash ? { crashAtCheckpoint: crash.atCheckpoint } : {}),
      sink: { file, delivery, ...('atWrite' in crash ? { crashAtWrite: crash.atWrite } : {}) },
    });
    processes.push(first);
    await first.next((e) => e.event === 'assigned', 30_000);
    // (It may die earlier, when the first records took more than one checkpoint.)
    await eventually(async () => table(file).size >= 80 || !first.running, 30_000, '80 outputs in the sink');
    await producer.send(inputRecords(8, 5), job.inputTopic);
    const exit = await first.exited;

    const next = countingWorker(job, [bootstrap()], { workerId: 'next', sink: fileSink(file, delivery) });
    const stop = new AbortController();
    const running = next.run(stop.signal);
    try {
      // Until the group committed every input record (the first process's writes may already
      // hold every value) and the sink holds every output.
      await eventually(
        async () => {
          const committed = await committedOffsets(job.groupId, job.inputTopic, MAX_PARALLELISM);
          const total = [...committed.values()].reduce((x, y) => x + y, 0n);
          return total >= 120n && new Set(table(file).values()).size >= 120;
        },
        60_000,
        'every input committed and 120 distinct outputs in the sink',
      );
    } finally {
      stop.abort();
      await running;
    }
    return { file, exit };
  }

  it('after-commit, killed between the state commit and the transaction: every output once by key', async () => {
    const { file, exit } = await killedThenTakenOver('after-commit', { atCheckpoint: 2 });
    expect(exit.signal).toBe('SIGKILL');
    expect([...table(file).values()].sort()).toEqual(ALL);
  });

  it('after-commit, killed in the middle of a write after the commit: rewritten with the same keys', async () => {
    const { file, exit } = await killedThenTakenOver('after-commit', { atWrite: 2 });
    expect(exit.signal).toBe('SIGKILL');
    expect([...table(file).values()].sort()).toEqual(ALL);
    // The half written before the kill was written again under the same keys (same values: the
    // table throws otherwise), so a sink that drops keys it has seen applies it once.
    const keys = writes(file).map((w) => w.k);
    expect(keys.length).toBeGreaterThan(new Set(keys).size);
  });

  it('at-least-once, killed between the state commit and the transaction: every output, some twice', async () => {
    const { file, exit } = await killedThenTakenOver('at-least-once', { atCheckpoint: 2 });
    expect(exit.signal).toBe('SIGKILL');
    const values = writes(file).map((w) => w.v);
    expect([...new Set(values)].sort()).toEqual(ALL);
    // The outputs of the checkpoint whose transaction never ran were written again, under other keys.
    expect(values.length).toBeGreaterThan(ALL.length);
    expect(table(file).size).toBe(values.length);
  });
});
