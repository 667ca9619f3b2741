import { runCli, tempDir } from '../support/run-cli.js';

describe('the statebackend command line', () => {
  it('prints help for every command and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['run-example', '--help'],
      ['checkpoints', '--help'],
      ['checkpoints', 'list', '--help'],
      ['checkpoints', 'show', '-h'],
      ['checkpoints', 'prune', '--help'],
      ['state', 'dump', '--help'],
      ['savepoint', 'export', '--help'],
      ['savepoint', 'import', '--help'],
    ]) {
      const run = await runCli(args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(run.stdout).toMatch(/Usage:/);
    }
    expect((await runCli(['run-example', '--help'])).stdout).toContain('--checkpoint-every <n>');
  });

  it('answers a wrong command line with one line on stderr and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^statebackend: unknown command 'frobnicate' \(see 'statebackend --help'\)\n$/],
      [
        ['run-example', '--bogus'],
        /^statebackend: Unknown option '--bogus' \(see 'statebackend run-example --help'\)\n$/,
      ],
      [['run-example', '--records', 'many'], /--records must be an integer of at least 0, not 'many'/],
      [['run-example', '--backend', 'redis'], /--backend must be heap, s3 or dynamodb, not 'redis'/],
      [['run-example', '--backend', 's3'], /--backend s3 needs --location s3:\/\/<bucket>/],
      [['checkpoints', 'list'], /missing the <location> \(see 'statebackend checkpoints list --help'\)/],
      [['checkpoints', 'rewind', 'x'], /unknown checkpoints command 'rewind'; use list\|show\|prune/],
      [['savepoint', 'import', 'only-a-file'], /missing the <location>/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('fails with one clear line for a location it cannot read: exit code 2 when malformed, 1 otherwise', async () => {
    const dir = await tempDir();
    const cases: [string[], RegExp, number][] = [
      [['checkpoints', 'list', 'gs://bucket'], /Cannot use location 'gs:\/\/bucket': unknown scheme/, 2],
      [
        ['state', 'dump', dir.path],
        /Nothing to read at .*: no job 'click-example' with operator 'sessions' \(the directory is empty\)/,
        1,
      ],
      [
        ['savepoint', 'export', dir.path, `${dir.path}/x.sbsp`],
        /Nothing to read at .*: no job 'click-example'/,
        1,
      ],
      [['savepoint', 'import', `${dir.path}/missing.sbsp`, dir.path], /missing\.sbsp/, 1],
      [['checkpoints', 'list', dir.path], /Nothing to read at .*: no job 'click-example'/, 1],
    ];
    for (const [args, message, code] of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    await dir.remove();
  });
});
