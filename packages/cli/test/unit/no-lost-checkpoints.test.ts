import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
const OPERATOR = join('click-example', 'sessions');

let work: { path: string; remove: () => Promise<void> };
let source: string;
let completed: string;

/** Checkpoint ids listed at `location`, with their state column. */
async function listed(location: string): Promise<string[]> {
  const run = await runCli(['checkpoints', 'list', location]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return run.stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((row) => {
      const cells = row.split(/\s{2,}/);
      return `${cells[0]} ${(cells.at(-1) ?? '').split(':')[0]}`;
    });
}

/** A copy of the source checkpoints, to change without touching the others' tests. */
async function copyOfSource(name: string): Promise<string> {
  const copy = join(work.path, name);
  await cp(source, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  work = await tempDir('cli-safety-');
  source = join(work.path, 'source');
  const run = await runCli(['run-example', '--dir', source, ...STREAM]);
  expect(run.code).toBe(0);
  completed = summaryOf(run.stdout);
});
afterAll(() => work.remove());

describe('a command line that cannot lose a checkpoint', () => {
  it('refuses to import a savepoint where checkpoints are, and with --force imports beside them, deleting nothing', async () => {
    const file = join(work.path, 'state.sbsp');
    expect((await runCli(['savepoint', 'export', source, file])).code).toBe(0);
    const target = await copyOfSource('import-target');
    const before = await listed(target);

    const refused = await runCli(['savepoint', 'import', file, target]);
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /Refusing to import into .*: it holds checkpoints 4, 5 of this job\..*--force/,
      ),
    });
    expect(await listed(target)).toEqual(before);

    const forced = await runCli(['savepoint', 'import', file, target, '--force']);
    expect(forced).toMatchObject({ code: 0, stdout: expect.stringMatching(/as checkpoint 6\.\n$/) });
    expect(await listed(target)).toEqual([...before, '6 complete']);
  });

  it('refuses to import into a directory that holds checkpoints of another job', async () => {
    const file = join(work.path, 'other.sbsp');
    expect((await runCli(['savepoint', 'export', source, file])).code).toBe(0);
    const target = await copyOfSource('other-job');

    const refused = await runCli(['savepoint', 'import', file, target, '--job', 'payments']);

    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/holds checkpoints of job click-example\/sessions/),
    });
    expect(await readdir(target)).toEqual(['click-example']);
  });

  it('lists every checkpoint with its state when the newest commit record is corrupt, prunes the others and restores a named one', async () => {
    const location = await copyOfSource('corrupt-newest');
    const newest = join(location, OPERATOR, 'chk-5');
    const [record] = (await readdir(newest)).filter((name) => name.startsWith('_metadata'));
    if (record === undefined) throw new Error('no commit record of checkpoint 5');
    await writeFile(join(newest, record), 'not a commit record');

    expect(await listed(location)).toEqual(['4 complete', '5 corrupt']);
    const json = await runCli(['checkpoints', 'list', location, '--json']);
    expect(JSON.parse(json.stdout.trimEnd().split('\n')[1] ?? '')).toMatchObject({
      checkpointId: 5,
      state: 'corrupt',
      reason: expect.any(String),
    });
    const shown = await runCli(['checkpoints', 'show', location, '--checkpoint', '5']);
    expect(shown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Checkpoint 5 at .* is corrupt: /),
    });

    const pruned = await runCli(['checkpoints', 'prune', location, '--keep', '1']);
    expect(pruned).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^Kept checkpoint 4; deleted no checkpoint .*\nLeft checkpoint 5 alone: corrupt/,
      ),
    });
    expect(await listed(location)).toEqual(['4 complete', '5 corrupt']);

    // The rollback procedure: restore the named older checkpoint; the run completes from it.
    const resumed = await runCli(['run-example', '--dir', location, ...STREAM, '--checkpoint', '4']);
    expect(resumed).toMatchObject({ code: 0 });
    expect(resumed.stdout).toContain('Resuming from checkpoint 4 at click 2000 of 2000');
    expect(summaryOf(resumed.stdout)).toBe(completed);
  });

  it('rolls back with run-example --checkpoint N and ends with the summary of an uninterrupted run', async () => {
    const location = await copyOfSource('rollback');
    const rolled = await runCli(['run-example', '--dir', location, ...STREAM, '--checkpoint', '4']);

    expect(rolled.stdout).toContain('Resuming from checkpoint 4 at click 2000 of 2000');
    expect(summaryOf(rolled.stdout)).toBe(completed);
    // The newer checkpoint stays until the rolled-back run completes one of its own.
    const ids = (await listed(location)).map((row) => Number(row.split(' ')[0]));
    expect(ids.includes(5) || Math.max(...ids) > 5).toBe(true);
  });

  it('names a checkpoint that is not there in the command line’s words', async () => {
    const run = await runCli(['run-example', '--dir', source, ...STREAM, '--checkpoint', '99']);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /No checkpoint to restore at .*: checkpoint 99 is not committed\. See 'statebackend checkpoints list'/,
    );
    expect(run.stderr).not.toMatch(/listCheckpoints\(\)/);
  });

  it.each([['s3:/bucket/prefix'], ['s3:bucket'], ['dynamodb:/table'], ['gs://bucket']])(
    'refuses the malformed location %s as a usage error, never reading a directory of that name',
    async (location) => {
      const run = await runCli(['checkpoints', 'list', location], { cwd: work.path });

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^statebackend: Cannot use location '/);
      expect(await readdir(work.path)).not.toContain('s3:');
    },
  );

  it('fails with a non-zero exit for a missing directory and for an unknown job, naming what is there', async () => {
    const missing = await runCli(['checkpoints', 'list', join(work.path, 'nowhere')]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Nothing to read at .*nowhere: no such directory/),
    });

    const unknown = await runCli(['checkpoints', 'list', source, '--job', 'nope']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /no job 'nope' with operator 'sessions' \(it holds click-example\/sessions; pick one/,
      ),
    });
    for (const command of [
      ['state', 'dump', source, '--job', 'nope'],
      ['savepoint', 'export', source, join(work.path, 'x.sbsp'), '--job', 'nope'],
      ['checkpoints', 'prune', source, '--keep', '1', '--job', 'nope'],
    ]) {
      expect((await runCli(command)).code).toBe(1);
    }
  });
});
