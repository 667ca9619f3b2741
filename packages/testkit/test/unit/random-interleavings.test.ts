import {
  exploreRandomInterleavings,
  HANDOVER_RUNS_ENV,
  handoverRuns,
  type StepScheduler,
} from '../../src/index.js';

/** Two owners of three steps each: which order ran, as a string. */
async function twoOwners(scheduler: StepScheduler): Promise<string> {
  const owner = (name: string) => async () => {
    for (let step = 1; step <= 3; step++) (await scheduler.gate(name, `step ${step}`))();
  };
  await scheduler.run({ A: owner('A'), B: owner('B') });
  return scheduler.trace.join(', ');
}

describe('random interleavings', () => {
  it('runs the number asked, each order from its seed, so the same seeds give the same orders', async () => {
    const orders = async (): Promise<string[]> => {
      const seen: string[] = [];
      const report = await exploreRandomInterleavings(async (s) => void seen.push(await twoOwners(s)), {
        runs: 30,
        seed: 7,
      });
      expect(report).toMatchObject({ interleavings: 30, seed: 7, maxSteps: 6 });
      expect(report.distinct).toBe(new Set(seen).size);
      return seen;
    };
    const first = await orders();
    expect(await orders()).toEqual(first);
    // 20 orders of 3 + 3 steps exist; 30 random runs find several.
    expect(new Set(first).size).toBeGreaterThan(5);
  });

  it('names the seed of a failing run, to replay it alone', async () => {
    let run = 0;
    await expect(
      exploreRandomInterleavings(
        async (s) => {
          await twoOwners(s);
          if (++run === 3) throw new Error('invariant broken');
        },
        { runs: 5, seed: 40 },
      ),
    ).rejects.toThrow(
      /interleaving 3 of 5 failed \(replay it with STATEBACKEND_HANDOVER_SEED=42 .*invariant broken/,
    );
  });

  it('takes its count from STATEBACKEND_HANDOVER_RUNS, else the default, and refuses anything else', () => {
    expect(handoverRuns(6, {})).toBe(6);
    expect(handoverRuns(6, { [HANDOVER_RUNS_ENV]: '2000' })).toBe(2000);
    expect(() => handoverRuns(6, { [HANDOVER_RUNS_ENV]: 'many' })).toThrow(
      /STATEBACKEND_HANDOVER_RUNS is 'many'/,
    );
  });
});
