import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { TestkitError } from '../errors.js';
import { OutputTail } from './output-tail.js';
import { supervisedSpawn } from './supervisor.js';

/** How a supervised process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A command running under the watchdog of {@link supervisedSpawn}. */
export interface SupervisedProcess {
  /** The pid of the command itself. */
  readonly pid: number;
  /** The pid of its watchdog, which leads the process group both run in. */
  readonly supervisorPid: number;
  /** The last lines the command wrote to stdout and stderr. */
  readonly output: OutputTail;
  /** Settles when the watchdog has exited, which it does only after the command has. */
  readonly exited: Promise<ExitStatus>;
  /** True once {@link exited} has settled. */
  hasExited(): boolean;
  /** Lets this process (jest) exit while the command runs; the watchdog then ends the command. */
  unref(): void;
  /**
   * Ends the command: SIGTERM, then SIGKILL after `graceMs`, then SIGKILL to the whole process
   * group if even the watchdog does not exit. Resolves when both are gone.
   */
  stop(graceMs?: number): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

function readReportedPid(
  report: Socket,
  child: ChildProcess,
  output: OutputTail,
  command: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const line = text.split('\n')[0];
      if (line === undefined || !text.includes('\n')) return;
      report.off('data', onData);
      const pid = /^\{"pid":(\d+)\}$/.exec(line)?.[1];
      if (pid === undefined) reject(new TestkitError(`The watchdog reported a malformed pid: ${line}`));
      else resolve(Number(pid));
    };
    report.on('data', onData);
    child.once('exit', (code, signal) => {
      const why = output.snapshot().join('\n  ');
      reject(
        new TestkitError(
          `Could not start ${command} (watchdog exit ${signal ?? code}); is it installed?\n  ${why}`,
        ),
      );
    });
  });
}

/**
 * Starts `command args` under the watchdog, in a process group of its own (so that a Ctrl-C
 * meant for jest reaches the emulator only through the watchdog, after jest has stopped it).
 * Resolves once the command has been spawned.
 */
export async function spawnSupervised(
  command: string,
  args: readonly string[],
  options: { readonly graceMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<SupervisedProcess> {
  const graceMs = options.graceMs ?? 3_000;
  const spawnArgs = supervisedSpawn(command, args, { graceMs });
  const child = spawn(spawnArgs.command, [...spawnArgs.args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
    env: options.env ?? process.env,
  });
  const report = child.stdio[3];
  const supervisorPid = child.pid;
  if (!(report instanceof Socket) || supervisorPid === undefined) {
    child.kill('SIGKILL');
    throw new TestkitError(`Could not start the watchdog for ${command} (${process.execPath}).`);
  }
  const output = new OutputTail();
  output.follow(child.stdout);
  output.follow(child.stderr);
  let done = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      report.destroy();
      resolve({ code, signal });
    });
  });
  const pid = await readReportedPid(report, child, output, command);

  const stop = async (stopGraceMs = graceMs): Promise<void> => {
    if (done) return;
    child.kill('SIGTERM');
    if ((await withTimeout(exited, stopGraceMs + 2_000)) !== 'timeout') return;
    killGroup(supervisorPid);
    await withTimeout(exited, 5_000);
  };
  return {
    pid,
    supervisorPid,
    output,
    exited,
    hasExited: () => done,
    unref: () => {
      child.unref();
      for (const stream of [child.stdout, child.stderr, report]) {
        if (stream instanceof Socket) stream.unref();
      }
    },
    stop,
  };
}
