import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  finalCounts,
} from '../support/counting-job.js';
import {
  bootstrap,
  committedOffsets,
  createTopics,
  eventually,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';
import { WorkerProcess } from '../support/worker-processes.js';

const PARTITIONS = 12;
const KEYS = 48;
/** Production goes on until the scale-out is done, and for at least this many batches. */
const MIN_BATCHES = 100;
const MAX_BATCHES = 1_000;
const KILLS = 10;

/** A deterministic generator, so a failing run can be repeated (the seed is in the test name). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.STATEBACKEND_CHAOS_SEED ?? 18);

describe(`3 worker processes on 12 partitions under kill -9 (seed ${SEED})`, () => {
  const d = checkpointDir();
  const single = checkpointDir();
  const producer = keyedProducer(PARTITIONS);
  const workers: WorkerProcess[] = [];
  let stopProduction = (): void => undefined;
  afterAll(async () => {
    stopProduction();
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await producer.close();
    d.remove();
    single.remove();
  });

  it('keeps read_committed output exactly once and ends in the state of a single-process run', async () => {
    const rand = random(SEED);
    const job: CountingJob = {
      groupId: uniqueName('chaos'),
      inputTopic: uniqueName('chaos-in'),
      outputTopic: uniqueName('chaos-out'),
      maxParallelism: PARTITIONS,
      checkpointDir: d.dir,
    };
    await createTopics([
      { name: job.inputTopic, partitions: PARTITIONS },
      { name: job.outputTopic, partitions: 3 },
    ]);
    let started = 0;
    const start = (): WorkerProcess => {
      started += 1;
      const worker = new WorkerProcess({ ...job, bootstrap: bootstrap(), workerId: `w${started}` });
      workers.push(worker);
      return worker;
    };
    const live = (): WorkerProcess[] => workers.filter((w) => w.running);
    const firstThree = [start(), start(), start()];
    await Promise.all(firstThree.map((w) => w.next((e) => e.event === 'assigned', 60_000)));

    // Production runs throughout, one record per key per batch, until the scale-out is done.
    let produced = 0;
    let keepProducing = true;
    const production = (async () => {
      for (let b = 0; b < MAX_BATCHES && (keepProducing || b < MIN_BATCHES); b += 1) {
        await producer.send(
          Array.from({ length: KEYS }, (_, k) => ({ key: `k${k}`, value: `${b}` })),
          job.inputTopic,
        );
        produced += 1;
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    })();
    // Settled here so that a failed step below does not leave it rejecting unobserved.
    const productionDone = production.then(
      () => undefined,
      (error: unknown) => error,
    );
    stopProduction = () => {
      keepProducing = false;
    };

    // A zombie: a worker stops itself (SIGSTOP) between the state commit and the transaction of a
    // checkpoint, stays frozen past its session while the others take its key groups over, then
    // resumes; its transaction is refused.
    const frozen = new WorkerProcess({
      ...job,
      bootstrap: bootstrap(),
      workerId: 'zombie',
      freezeAtCheckpoint: 3,
    });
    workers.push(frozen);
    const freezing = await frozen.next((e) => e.event === 'freezing', 60_000);
    // What it owns as it freezes (it may have gained and lost others before).
    const held = new Set(freezing.keyGroups ?? []);
    expect(held.size).toBeGreaterThan(0);
    const others = live().filter((w) => w !== frozen);
    const seenBefore = others.map((w) => w.events.length);
    await eventually(
      async () => {
        const moved = new Set(
          others.flatMap((w, i) =>
            w.events
              .slice(seenBefore[i])
              .filter((e) => e.event === 'assigned')
              .flatMap((e) => e.keyGroups ?? []),
          ),
        );
        return [...held].every((kg) => moved.has(kg));
      },
      30_000,
      'the frozen worker’s key groups to move to the others',
    );
    frozen.kill('SIGCONT');
    await frozen.next((e) => e.event === 'fenced', 30_000);
    await frozen.stop();

    // Kill a random worker at a random moment and start a replacement, KILLS times.
    let kills = 0;
    while (kills < KILLS) {
      await new Promise((resolve) => setTimeout(resolve, 300 + rand() * 900));
      const candidates = live();
      const victim = candidates[Math.floor(rand() * candidates.length)];
      if (victim === undefined) break;
      victim.kill('SIGKILL');
      await victim.exited;
      kills += 1;
      start();
    }

    // Scale out to four, then in by two (graceful stops).
    const fourth = start();
    await fourth.next((e) => e.event === 'assigned', 60_000);
    keepProducing = false;
    const productionError = await productionDone;
    if (productionError !== undefined) throw productionError;
    const [a, b] = live();
    await Promise.all([a?.stop(), b?.stop()]);

    const total = produced * KEYS;
    await eventually(
      async () => (await readCommitted(job.outputTopic)).length >= total,
      120_000,
      `${total} outputs`,
    );
    for (const w of live()) await w.stop();

    const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    const expected = expectedOutputs(new Map(Array.from({ length: KEYS }, (_, k) => [`k${k}`, produced])));
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(outputs.length).toBe(expected.length);
    expect(outputs).toEqual(expected);
    expect(workers.some((w) => w.events.some((e) => e.event === 'fenced'))).toBe(true);

    // The same input through one in-process worker, into its own group and checkpoints.
    const reference: CountingJob = {
      ...job,
      groupId: uniqueName('single'),
      outputTopic: uniqueName('single-out'),
      checkpointDir: single.dir,
    };
    await createTopics([{ name: reference.outputTopic, partitions: 1 }]);
    const one = countingWorker(reference, [bootstrap()], { workerId: 'single' });
    const stop = new AbortController();
    const running = one.run(stop.signal);
    await eventually(async () => one.stats.records >= total, 120_000, 'the single-process run');
    stop.abort();
    await running;

    const chaosState = await finalCounts(
      job,
      await committedOffsets(job.groupId, job.inputTopic, PARTITIONS),
    );
    const singleState = await finalCounts(
      reference,
      await committedOffsets(reference.groupId, reference.inputTopic, PARTITIONS),
    );
    expect(chaosState.size).toBe(KEYS);
    expect(chaosState).toEqual(singleState);
    expect([...chaosState.values()].every((n) => n === produced)).toBe(true);
  }, 600_000);
});
