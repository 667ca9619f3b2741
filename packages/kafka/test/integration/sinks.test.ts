import type { OutputSink, SinkRecord } from '../../src/index.js';
import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  inputRecords,
} from '../support/counting-job.js';
import { bootstrap, createTopics, eventually, keyedProducer, uniqueName } from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;

/** A sink that keeps every record written to it, in order, as a database table would. */
class RecordingSink implements OutputSink {
  readonly written: SinkRecord[] = [];
  writes = 0;
  readonly delivery: 'after-commit' | 'at-least-once';
  /** Called before each write; may write part of the records itself and throw (a crash in the middle). */
  readonly fault: (records: readonly SinkRecord[], call: number, sink: RecordingSink) => void;

  constructor(
    delivery: 'after-commit' | 'at-least-once',
    fault: (records: readonly SinkRecord[], call: number, sink: RecordingSink) => void = () => undefined,
  ) {
    this.delivery = delivery;
    this.fault = fault;
  }

  async write(records: readonly SinkRecord[]): Promise<void> {
    this.writes += 1;
    this.fault(records, this.writes, this);
    this.written.push(...records);
  }

  /** The written values, one per idempotence key (a sink that drops keys it has seen). */
  deduplicated(): string[] {
    const byKey = new Map<string, string>();
    for (const r of this.written) {
      const key = `${r.idempotenceKey.keyGroup}/${r.idempotenceKey.checkpointId}/${r.idempotenceKey.sequence}`;
      const value = r.value.toString();
      const seen = byKey.get(key);
      if (seen !== undefined && seen !== value)
        throw new Error(`key ${key} written with ${seen} and ${value}`);
      byKey.set(key, value);
    }
    return [...byKey.values()].sort();
  }

  values(): string[] {
    return this.written.map((r) => r.value.toString());
  }
}

describe('other sinks: idempotence keys and at-least-once delivery', () => {
  const dirs: { remove(): void }[] = [];
  const producer = keyedProducer(MAX_PARALLELISM);
  afterAll(async () => {
    await producer.close();
    for (const d of dirs) d.remove();
  });

  async function freshJob(): Promise<CountingJob> {
    const d = checkpointDir();
    dirs.push(d);
    const job = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('unused'),
      maxParallelism: MAX_PARALLELISM,
      checkpointDir: d.dir,
    };
    await createTopics([{ name: job.inputTopic, partitions: MAX_PARALLELISM }]);
    return job;
  }

  const expected = (perKey: number) =>
    expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, perKey])));

  it('after-commit: a crash in the middle of a write loses nothing, and dedupe by key gives every output once', async () => {
    const job = await freshJob();
    await producer.send(inputRecords(8, 10), job.inputTopic);
    let crashed = false;
    // The second write (the outputs of a checkpoint Kafka committed) stops halfway.
    const sink = new RecordingSink('after-commit', (records, call, self) => {
      if (call !== 2 || crashed) return;
      crashed = true;
      self.written.push(...records.slice(0, Math.ceil(records.length / 2)));
      throw new Error('the worker dies in the middle of the write');
    });
    const worker = countingWorker(job, [bootstrap()], { sink });
    const stop = new AbortController();
    const running = worker.run(stop.signal);
    await eventually(async () => sink.deduplicated().length >= 80, 60_000, '80 outputs');
    await producer.send(inputRecords(8, 5), job.inputTopic);
    await eventually(async () => crashed && sink.deduplicated().length >= 120, 60_000, '120 outputs');
    stop.abort();
    await running;

    expect(worker.stats.rollbacks).toBeGreaterThan(0);
    // The restored checkpoint's outputs were written again under the same keys…
    expect(sink.written.length).toBeGreaterThan(120);
    // …so a sink that drops keys it has seen holds every output exactly once.
    expect(sink.deduplicated()).toEqual(expected(15));
  });

  it('at-least-once: outputs written before a state commit that never completes are written again, never lost', async () => {
    const job = await freshJob();
    await producer.send(inputRecords(8, 10), job.inputTopic);
    const sink = new RecordingSink('at-least-once');
    let stateCommits = 0;
    let failed = false;
    const worker = countingWorker(job, [bootstrap()], {
      sink,
      hooks: {
        afterStateCommitted: async () => {
          stateCommits += 1;
          // The sink has the outputs of this checkpoint; its transaction never happens.
          if (stateCommits === 2 && !failed) {
            failed = true;
            throw new Error('the worker dies between its state commit and its transaction');
          }
        },
      },
    });
    const stop = new AbortController();
    const running = worker.run(stop.signal);
    await eventually(async () => new Set(sink.values()).size >= 80, 60_000, '80 outputs');
    await producer.send(inputRecords(8, 5), job.inputTopic);
    // Until a state commit after the rollback: its sink write (before the state) holds the
    // replay. Stopping at the failure itself would end the worker before it read anything again.
    await eventually(
      async () => failed && stateCommits >= 3 && new Set(sink.values()).size >= 120,
      60_000,
      '120 outputs and a checkpoint after the rollback',
    );
    stop.abort();
    await running;

    expect(worker.stats.rollbacks).toBe(1);
    // Never lost: every output is there, some twice…
    expect([...new Set(sink.values())].sort()).toEqual(expected(15));
    const duplicates = sink.written.length - 120;
    expect(duplicates).toBeGreaterThan(0);
    // …and the copies carry other idempotence keys (the checkpoint id of the replay differs).
    expect(sink.deduplicated().length).toBe(sink.written.length);
  });
});
