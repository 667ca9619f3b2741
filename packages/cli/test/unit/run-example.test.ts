import { BufferWriter, type ExampleSummary, main } from '../../src/index.js';
import { PROGRESS_LINE, runCli, summaryOf, tempDir } from '../support/run-cli.js';

const STREAM = [
  '--records',
  '3000',
  '--users',
  '80',
  '--seed',
  '5',
  '--checkpoint-every',
  '300',
  '--checkpoint-interval',
  '600000',
];

let dirs: { path: string; remove: () => Promise<void> }[] = [];
async function freshDir(): Promise<string> {
  const dir = await tempDir('run-example-');
  dirs.push(dir);
  return dir.path;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => d.remove()));
  dirs = [];
});

describe('statebackend run-example (in process)', () => {
  it('runs the job to the end and summarises it: every click counted once, every session closed', async () => {
    const run = await runCli(['run-example', '--dir', await freshDir(), ...STREAM, '--json']);
    expect(run.code).toBe(0);
    // With --json, stdout is the summary alone; the rest goes to stderr.
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Starting the click-session example: 3000 clicks of 80 users \(seed 5\)/);
    // Every 300 clicks, and once more after the end of the input closed the open sessions.
    const offsets = lines
      .filter((l) => l.startsWith('checkpoint '))
      .map((l) => Number(/: (\d+)\//.exec(l)?.[1]));
    expect(offsets).toEqual([...Array.from({ length: 10 }, (_, i) => (i + 1) * 300), 3000]);
    expect(lines.slice(1).every((l) => PROGRESS_LINE.test(l))).toBe(true);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    const summary = JSON.parse(run.stdout) as ExampleSummary;
    expect(summary).toMatchObject({ clicks: 3000, openSessions: 0 });
    expect(summary.sessions).toBeGreaterThan(80);
    expect(summary.pages.reduce((sum, [, clicks]) => sum + clicks, 0)).toBe(3000);
    expect(summary.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops on its signal with a final checkpoint, and a rerun ends with the summary of an uninterrupted run', async () => {
    const dir = await freshDir();
    const controller = new AbortController();
    const stdout = new BufferWriter();
    const stderr = new BufferWriter();
    const watching = {
      write(text: string) {
        stderr.write(text);
        if (text.startsWith('checkpoint 2:')) controller.abort();
      },
    };
    const code = await main(['run-example', '--dir', dir, ...STREAM], {
      stdout,
      stderr: watching,
      isTTY: false,
      env: {},
      cwd: process.cwd(),
      signal: controller.signal,
    });
    expect(code).toBe(130);
    const stopped = /Stopped at click (\d+) of 3000; checkpoint 3 holds it/.exec(stdout.text);
    expect(stopped).not.toBeNull();

    const resumed = await runCli(['run-example', '--dir', dir, ...STREAM]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming from checkpoint 3 at click ${stopped?.[1]} of 3000`);

    const uninterrupted = await runCli(['run-example', '--dir', await freshDir(), ...STREAM]);
    expect(summaryOf(resumed.stdout)).toBe(summaryOf(uninterrupted.stdout));

    // Run again once complete: nothing left to read, the same summary from the restored state.
    const again = await runCli(['run-example', '--dir', dir, ...STREAM]);
    expect(again.stdout).toContain('Resuming from checkpoint');
    expect(summaryOf(again.stdout)).toBe(summaryOf(uninterrupted.stdout));
  });

  it('sums up the same whatever the concurrency and checkpoint cadence', async () => {
    const reference = await runCli(['run-example', '--dir', await freshDir(), ...STREAM]);
    const serial = await runCli([
      'run-example',
      '--dir',
      await freshDir(),
      ...STREAM,
      '--max-in-flight',
      '1',
      '--checkpoint-every',
      '97',
    ]);
    const wide = await runCli([
      'run-example',
      '--dir',
      await freshDir(),
      ...STREAM,
      '--max-in-flight',
      '64',
      '--checkpoint-every',
      '1000',
    ]);
    expect(summaryOf(serial.stdout)).toBe(summaryOf(reference.stdout));
    expect(summaryOf(wide.stdout)).toBe(summaryOf(reference.stdout));
  });

  it('reports the driver, state and checkpoint metrics to stderr with --metrics console', async () => {
    const run = await runCli(['run-example', '--dir', await freshDir(), ...STREAM, '--metrics', 'console']);
    expect(run.code).toBe(0);
    const metric = (name: string) =>
      new RegExp(`^metric \\S+\\.click-example\\.sessions\\.0\\.${name} (.*)$`, 'm').exec(run.stderr)?.[1];
    expect(metric('driver\\.records')).toBe('counter count=3000');
    expect(metric('driver\\.offset')).toBe('gauge value=3000');
    expect(metric('state\\.writes')).toMatch(/^counter count=\d+$/);
    expect(metric('checkpoints\\.numberOfCompletedCheckpoints')).toBe('counter count=11');
    expect(run.stdout).toContain('Summary\n');
    expect((await runCli(['run-example', '--metrics', 'statsd'])).stderr).toMatch(
      /--metrics must be console or cloudwatch, not 'statsd'/,
    );
  });

  it('refuses to resume checkpoints of another stream', async () => {
    const dir = await freshDir();
    expect((await runCli(['run-example', '--dir', dir, ...STREAM])).code).toBe(0);
    const other = await runCli(['run-example', '--dir', dir, ...STREAM, '--seed', '6']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /^statebackend: The checkpoints under file:\/\/.* are of another stream \(--records 3000 --users 80 --seed 5\)/,
    );
  });
});
