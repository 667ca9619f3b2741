import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferWriter, main } from '../../src/index.js';

/** What one in-process run of the command printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `statebackend <args>` in this process, with output captured. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; signal?: AbortSignal; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const stdout = new BufferWriter();
  const stderr = new BufferWriter();
  const code = await main(args, {
    stdout,
    stderr,
    isTTY: false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A progress line of `run-example` without a terminal (on stderr). */
export const PROGRESS_LINE = /^checkpoint \d+: \d+\/\d+ clicks \(\d+%\)$/;

/** What `run-example` wrote to stderr besides its progress lines: nothing, when all went well. */
export function besidesProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line !== '' && !PROGRESS_LINE.test(line))
    .join('\n');
}

/** The summary block the example prints at the end. */
export function summaryOf(stdout: string): string {
  const start = stdout.indexOf('Summary\n');
  if (start < 0) throw new Error(`no summary in:\n${stdout}`);
  return stdout.slice(start);
}

/** A temporary directory, removed by the returned function. */
export async function tempDir(prefix = 'cli-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
