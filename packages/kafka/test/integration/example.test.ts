import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, uniqueName } from '../support/kafka-helpers.js';

describe('the example job (example/click-counts.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statebackend-kafka-example-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every click once with two workers, one of them killed halfway', async () => {
    const example = join(__dirname, '..', '..', 'example', 'click-counts.ts');
    const child = spawn(
      process.execPath,
      [
        '--experimental-strip-types',
        '--no-warnings',
        example,
        '--bootstrap',
        bootstrap(),
        '--workers',
        '2',
        '--seconds',
        '6',
        '--checkpoints',
        dir,
        '--prefix',
        `${uniqueName('example')}-`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(output).toContain('example: killing worker');
    expect(output).toContain('exactly once: yes');
    expect(code).toBe(0);
  });
});
