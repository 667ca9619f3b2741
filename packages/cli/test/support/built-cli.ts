import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const packageDir = join(__dirname, '..', '..');
/** The built command, as `npm install` would run it. */
export const CLI_BIN = join(packageDir, 'dist', 'bin', 'statebackend.js');

/**
 * Builds the command and the packages it uses (`tsc -b`, incremental: nothing to do after the
 * root `pnpm test` built everything), so that a child process runs the sources under test.
 */
export function buildCli(): void {
  const tsc = createRequire(__filename).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(packageDir, 'tsconfig.json')], { stdio: 'pipe' });
}

/** How a child run of the command ended. */
export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built command as a child process. `onLine` sees every line of stdout and of stderr
 * (where progress goes) as it arrives and may kill the child (it gets the child's `kill`).
 */
export function runChild(
  args: readonly string[],
  onLine: (line: string, kill: (signal: NodeJS.Signals) => void) => void = () => {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      child[stream].setEncoding('utf8').on('data', (chunk: string) => {
        output[stream] += chunk;
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          onLine(line, (signal) => child.kill(signal));
          newline = pending.indexOf('\n');
        }
      });
    }
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: output.stdout, stderr: output.stderr }),
    );
  });
}
