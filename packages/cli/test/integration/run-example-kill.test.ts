import { rm } from 'node:fs/promises';
import { buildCli, runChild } from '../support/built-cli.js';
import { besidesProgress, summaryOf, tempDir } from '../support/run-cli.js';

const STREAM = [
  '--records',
  '6000',
  '--users',
  '150',
  '--seed',
  '3',
  '--checkpoint-every',
  '500',
  '--checkpoint-interval',
  '600000',
];

/** A seeded generator of integers in [0, n): the kill points are random but the same on every run. */
function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % n;
  };
}

let dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

beforeAll(() => {
  buildCli();
}, 180_000);

describe('statebackend run-example killed with SIGKILL', () => {
  it('resumes after each kill and ends with the summary of an uninterrupted run', async () => {
    const killed = (await tempDir('killed-')).path;
    const clean = (await tempDir('clean-')).path;
    dirs = [killed, clean];
    const random = seededRandom(20_261_124);
    const resumedAt: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      // Kill it right after its k-th checkpoint line: the process is somewhere in the next 500 clicks.
      const k = 1 + random(3);
      let seen = 0;
      const run = await runChild(['run-example', '--dir', killed, ...STREAM], (line, killChild) => {
        const resumed = /^Resuming from checkpoint \d+ at click (\d+)/.exec(line);
        if (resumed !== null) resumedAt.push(Number(resumed[1]));
        if (line.startsWith('checkpoint ') && ++seen === k) killChild('SIGKILL');
      });
      expect({ kill, signal: run.signal, stderr: besidesProgress(run.stderr) }).toEqual({
        kill,
        signal: 'SIGKILL',
        stderr: '',
      });
    }
    const last = await runChild(['run-example', '--dir', killed, ...STREAM]);
    expect({ code: last.code, stderr: besidesProgress(last.stderr) }).toEqual({ code: 0, stderr: '' });
    const finalResume = /Resuming from checkpoint \d+ at click (\d+) of 6000/.exec(last.stdout);
    expect(finalResume).not.toBeNull();
    resumedAt.push(Number(finalResume?.[1]));
    // Each run resumed from a later checkpoint than the one before.
    expect(resumedAt).toHaveLength(3);
    expect(resumedAt.every((at, i) => at > 0 && (i === 0 || at > (resumedAt[i - 1] ?? 0)))).toBe(true);

    const uninterrupted = await runChild(['run-example', '--dir', clean, ...STREAM]);
    expect(uninterrupted.code).toBe(0);
    expect(summaryOf(last.stdout)).toBe(summaryOf(uninterrupted.stdout));
    expect(summaryOf(last.stdout)).toMatch(/clicks\s+6000\n/);
  });

  it('stops cleanly on SIGTERM: drains, checkpoints, exits 130, and a rerun finishes the job', async () => {
    const dir = (await tempDir('sigterm-')).path;
    dirs.push(dir);
    const stopped = await runChild(['run-example', '--dir', dir, ...STREAM], (line, killChild) => {
      if (line.startsWith('checkpoint 2:')) killChild('SIGTERM');
    });
    expect(stopped.code).toBe(130);
    const at = /Stopped at click (\d+) of 6000; checkpoint (\d+) holds it/.exec(stopped.stdout);
    expect(at).not.toBeNull();
    const rerun = await runChild(['run-example', '--dir', dir, ...STREAM]);
    expect(rerun.stdout).toContain(`Resuming from checkpoint ${at?.[2]} at click ${at?.[1]} of 6000`);
    expect(rerun.code).toBe(0);
  });
});
