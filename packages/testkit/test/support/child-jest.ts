import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The jest project in test/fixtures/run, wired with withEmulators({ emulators: ['moto'] }). */
export const FIXTURE_CONFIG = join(__dirname, '..', 'fixtures', 'run', 'jest.config.cjs');

/** A jest process running the fixture project, with its output collected. */
export interface ChildJest {
  readonly process: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stderr line matching `pattern`; rejects if the process ends first. */
  stderrLine(pattern: RegExp): Promise<string>;
}

/** Runs jest on the fixture project in a child process, with `env` laid over a clean environment. */
export function runFixtureJest(args: readonly string[], env: NodeJS.ProcessEnv): ChildJest {
  const base = { ...process.env };
  delete base.STATEBACKEND_TEST_TARGETS;
  delete base.JEST_WORKER_ID;
  const child = spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', FIXTURE_CONFIG, '-i', ...args],
    {
      env: { ...base, FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const waiter of [...waiters]) {
      const line = err.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stderrLine: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then(() => reject(new Error(`jest exited before printing ${pattern}:\n${err}`)));
      }),
  };
}
