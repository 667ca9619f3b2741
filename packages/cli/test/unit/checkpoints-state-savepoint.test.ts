import { runCli, summaryOf, tempDir } from '../support/run-cli.js';

const STREAM = [
  '--records',
  '2000',
  '--users',
  '60',
  '--seed',
  '11',
  '--checkpoint-every',
  '500',
  '--checkpoint-interval',
  '600000',
];

let source: { path: string; remove: () => Promise<void> };
let target: { path: string; remove: () => Promise<void> };
let completed: string;

beforeAll(async () => {
  source = await tempDir('ckpt-source-');
  target = await tempDir('ckpt-target-');
  const run = await runCli(['run-example', '--dir', source.path, ...STREAM]);
  expect(run.code).toBe(0);
  completed = summaryOf(run.stdout);
});
afterAll(async () => {
  await Promise.all([source.remove(), target.remove()]);
});

/** Every line of `state dump`, parsed and sorted, for comparing the state of two locations. */
async function dumpOf(location: string, ...args: string[]): Promise<string[]> {
  const run = await runCli(['state', 'dump', location, ...args]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return run.stdout.trimEnd().split('\n').sort();
}

describe('checkpoints, state dump and savepoints of a local directory', () => {
  it('lists the retained checkpoints with ids, times, sizes, key groups and states', async () => {
    const run = await runCli(['checkpoints', 'list', source.path]);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+TAKEN\s+SIZE\s+KEY GROUPS\s+STATES\s+STATE$/);
    // Four checkpoints every 500 clicks and one after the end of the input; two are retained.
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['4', '5']);
    expect(rows[1]).toMatch(
      /^5\s+2026-01-01T\S+Z\s+\d+(\.\d)? KiB\s+0-127\s+__driver_timers,page-clicks,profile,session,session-pages,user-stats\s+complete$/,
    );
    const json = await runCli(['checkpoints', 'list', source.path, '--json']);
    expect(JSON.parse(json.stdout.trimEnd().split('\n')[1] ?? '')).toMatchObject({
      checkpointId: 5,
      keyGroups: '0-127',
      state: 'complete',
    });
  });

  it('shows a checkpoint with the position the driver stored with it', async () => {
    const run = await runCli(['checkpoints', 'show', source.path, '--checkpoint', '4']);
    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout);
    expect(shown.parts[0].metadata).toMatchObject({
      format: 'statebackend-driver',
      offset: 2000,
      position: { next: 2000 },
    });
    expect(shown.parts[0].states.find((s: { name: string }) => s.name === 'profile')).toMatchObject({
      kind: 'value',
      serializers: { key: 'string', value: 'msgpack' },
      ttl: expect.any(Object),
    });
    const missing = await runCli(['checkpoints', 'show', source.path, '--checkpoint', '1']);
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/No checkpoint 1 at .*; it has 4, 5\./),
    });
  });

  it('dumps the state as JSON lines, decoded with the serializers of the checkpoint', async () => {
    const lines = (await dumpOf(source.path)).map((line) => JSON.parse(line));
    const stats = lines.filter((l) => l.state === 'user-stats');
    expect(stats.reduce((sum, l) => sum + l.value.clicks, 0)).toBe(2000);
    const pageClicks = lines.filter((l) => l.state === 'page-clicks');
    expect(pageClicks.every((l) => typeof l.namespace === 'string' && l.namespace.startsWith('/'))).toBe(
      true,
    );
    expect(lines.filter((l) => l.state === 'session' || l.state === 'session-pages')).toEqual([]);

    const user = stats[0].key as string;
    const one = (await dumpOf(source.path, '--key', user, '--state', 'user-stats')).map((line) =>
      JSON.parse(line),
    );
    expect(one).toEqual([stats[0]]);
    const older = await runCli(['state', 'dump', source.path, '--checkpoint', '4', '--state', 'profile']);
    expect(
      older.stdout
        .trimEnd()
        .split('\n')
        .every((l) => JSON.parse(l).ttlTimestamp > 0),
    ).toBe(true);
    const unknown = await runCli(['state', 'dump', source.path, '--state', 'nope']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/has no state 'nope'; it has __driver_timers, /),
    });
  });

  it('moves the state to another location through a savepoint: same state, and the job resumes there', async () => {
    const file = `${target.path}/state.sbsp`;
    const exported = await runCli(['savepoint', 'export', source.path, file]);
    expect(exported.stdout).toMatch(/^Exported checkpoint 5 of file:\/\/.* to .*state\.sbsp: \d+ entries, /);
    const imported = await runCli(['savepoint', 'import', file, `${target.path}/ckpt`]);
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/as checkpoint 1\.\n$/) });

    expect(await dumpOf(`${target.path}/ckpt`)).toEqual(await dumpOf(source.path));
    const resumed = await runCli(['run-example', '--dir', `${target.path}/ckpt`, ...STREAM]);
    expect(resumed.stdout).toContain('Resuming from checkpoint 1 at click 2000 of 2000');
    expect(summaryOf(resumed.stdout)).toBe(completed);
  });

  it('prunes all but the newest checkpoints and the files only they referenced', async () => {
    const run = await runCli(['checkpoints', 'prune', source.path, '--keep', '1']);
    expect(run).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^Kept checkpoint 5; deleted checkpoint 4 and \d+ unreferenced file\(s\)\.\n$/,
      ),
    });
    const listed = await runCli(['checkpoints', 'list', source.path]);
    expect(
      listed.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.split(/\s+/)[0]),
    ).toEqual(['5']);
    expect((await runCli(['checkpoints', 'prune', source.path])).stderr).toMatch(/needs --keep <n>/);
    // The job still resumes from what was kept.
    const resumed = await runCli(['run-example', '--dir', source.path, ...STREAM]);
    expect(summaryOf(resumed.stdout)).toBe(completed);
  });
});
