// `statebackend run-example --source kafka://…`: a worker that produces the generated clicks and
// counts them, stopped; then two workers of the same group resume from its checkpoints. The
// output topic, read with read_committed, holds `user:n` for every click exactly once.
import { KAFKA_BOOTSTRAP_ENV } from '@statebackend/testkit';
import { readCommittedValues } from '../support/kafka-read.js';
import { runCli, tempDir } from '../support/run-cli.js';

const RECORDS = 3_000;
const USERS = 60;

describe('statebackend run-example --source kafka://', () => {
  it('counts the clicks of a topic exactly once across runs and workers', async () => {
    const bootstrap = process.env[KAFKA_BOOTSTRAP_ENV] ?? '';
    const dir = await tempDir();
    const topic = `clicks-${process.pid}-${Date.now().toString(36)}`;
    const common = ['--source', `kafka://${bootstrap}/${topic}`, '--dir', dir.path, '--json'];
    try {
      const first = await runCli([
        'run-example',
        ...common,
        '--produce',
        '--records',
        String(RECORDS),
        '--users',
        String(USERS),
        '--seconds',
        '4',
      ]);
      expect({ code: first.code, stderr: first.stderr }).toEqual({
        code: 0,
        stderr: expect.stringContaining('Produced 3000 clicks'),
      });
      // Two workers of the same group resume from the first one's checkpoints.
      const [a, b] = await Promise.all([
        runCli(['run-example', ...common, '--seconds', '12']),
        runCli(['run-example', ...common, '--seconds', '12']),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const values = (await readCommittedValues(bootstrap, `${topic}-counts`)).sort();
      const perUser = new Map<string, number>();
      for (const v of values) {
        const user = v.slice(0, v.lastIndexOf(':'));
        perUser.set(user, (perUser.get(user) ?? 0) + 1);
      }
      const expected = [...perUser]
        .flatMap(([user, n]) => Array.from({ length: n }, (_, i) => `${user}:${i + 1}`))
        .sort();
      expect(values.length).toBe(RECORDS);
      expect(values).toEqual(expected);
    } finally {
      await dir.remove();
    }
  });
});
