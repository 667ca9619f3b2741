import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { assignToKeyGroup, Serializers } from '@statebackend/aws-base';
import {
  bootstrap,
  createTopics,
  eventually,
  inputProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;
const SOURCE_PARTITIONS = 3;

/** A Repartitioner in a child process (test/support/repartitioner-process.mjs). */
function startStage(config: Record<string, unknown>): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [join(__dirname, '../support/repartitioner-process.mjs')], {
    env: { ...process.env, STATEBACKEND_KAFKA_REPARTITIONER: JSON.stringify(config) },
    stdio: ['ignore', process.env.STATEBACKEND_KAFKA_TEST_VERBOSE === '1' ? 'inherit' : 'ignore', 'inherit'],
  });
  return { child, exited: once(child, 'exit') };
}

describe('two Repartitioner processes under SIGKILL', () => {
  const stages: { child: ChildProcess; exited: Promise<unknown> }[] = [];
  afterAll(async () => {
    for (const s of stages)
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(stages.map((s) => s.exited));
  });

  it('the target topic read with read_committed holds every source record once, in its key group', async () => {
    const source = uniqueName('raw');
    const target = uniqueName('by-key');
    const groupId = uniqueName('repartition');
    await createTopics([
      { name: source, partitions: SOURCE_PARTITIONS },
      { name: target, partitions: MAX_PARALLELISM },
    ]);
    const config = (workerId: string) => ({
      bootstrap: bootstrap(),
      groupId,
      sourceTopic: source,
      targetTopic: target,
      maxParallelism: MAX_PARALLELISM,
      workerId,
    });
    const start = (workerId: string) => {
      const stage = startStage(config(workerId));
      stages.push(stage);
      return stage;
    };

    // Continuous production, round-robin over the source partitions (not by key).
    const producer = inputProducer('test-raw-kills');
    let produced = 0;
    let producing = true;
    const production = (async () => {
      while (producing) {
        const batch = Array.from({ length: 30 }, (_, i) => produced + i);
        await producer.send({
          messages: batch.map((n) => ({
            topic: source,
            key: Buffer.from(`k${n % 16}`),
            value: Buffer.from(`v${n}`),
            partition: n % SOURCE_PARTITIONS,
          })),
        });
        produced += batch.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    let a = start('a');
    let b = start('b');
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const killed: string[] = [];
    try {
      // Kills at moments with commits every 100 ms: most land with a transaction open (records
      // sent, offsets not yet committed), which the broker aborts after the transaction timeout.
      for (const [victim, next] of [
        ['a', 'a2'],
        ['b', 'b2'],
        ['a2', 'a3'],
        ['b2', 'b3'],
      ] as const) {
        await pause(2_500);
        const stage = victim.startsWith('a') ? a : b;
        stage.child.kill('SIGKILL');
        await stage.exited;
        killed.push(victim);
        if (next.startsWith('a')) a = start(next);
        else b = start(next);
      }
      await pause(2_000);
    } finally {
      producing = false;
      await production;
      await producer.close();
    }

    await eventually(
      async () => (await readCommitted(target)).length >= produced,
      90_000,
      `${produced} records`,
    );
    for (const stage of [a, b]) stage.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);

    const records = await readCommitted(target);
    const values = records.map((r) => r.value?.toString() ?? '');
    process.stderr.write(
      `repartitioner under kills: ${produced} records, SIGKILLs of ${killed.join(', ')}; read_committed holds ${values.length}, ${new Set(values).size} distinct\n`,
    );
    expect(killed).toHaveLength(4);
    expect(values.length).toBe(produced);
    expect(new Set(values).size).toBe(produced);
    expect([...values].sort()).toEqual(Array.from({ length: produced }, (_, n) => `v${n}`).sort());
    for (const r of records) {
      const key = r.key?.toString() ?? '';
      expect(r.partition).toBe(assignToKeyGroup(Serializers.string.serialize(key), MAX_PARALLELISM));
    }
  });
});
