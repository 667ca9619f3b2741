/**
 * The watchdog every emulator runs under. jest may die without running its global teardown
 * (a crash, Ctrl-C, `kill -9`), and an orphaned emulator would keep its port and memory until
 * someone notices. So the emulator is not a child of jest but of this small Node program, which
 * ends it as soon as jest is gone:
 *
 * - it reports the emulator's pid on fd 3 and keeps that pipe open; the pipe closes when jest
 *   dies, however it dies;
 * - it also polls its parent pid (`process.ppid` changes when the parent dies), in case the
 *   pipe's other end outlived jest;
 * - on SIGTERM, SIGINT or SIGHUP it forwards SIGTERM to the emulator and sends SIGKILL after a
 *   grace period;
 * - it exits with the emulator's exit status.
 *
 * It runs as `node -e <source>` so that it needs no file on disk (it works the same from `src/`
 * under jest and from `dist/`).
 */
const SUPERVISOR_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const net = require('node:net');
const [parentArg, graceArg, command, ...args] = process.argv.slice(1);
const parent = Number(parentArg);
const grace = Number(graceArg);
let stopping = false;
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
function stop() {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), grace).unref();
}
child.on('error', (error) => {
  process.stderr.write('supervisor: cannot start ' + command + ': ' + error.message + '\n');
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code === null ? 128 + (constants.signals[signal] || 0) : code);
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
const report = new net.Socket({ fd: 3, readable: true, writable: true });
report.on('error', stop);
report.on('close', stop);
report.resume();
child.on('spawn', () => report.write(JSON.stringify({ pid: child.pid }) + '\n'));
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 200);
`;

/** How to spawn `command args` under the watchdog of {@link SUPERVISOR_SOURCE}. */
export interface SupervisedSpawn {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The command line that runs `command args` under the watchdog, which ends it when the process
 * `parentPid` (normally this one) dies. Spawn it with fd 3 as a pipe: the watchdog writes
 * `{"pid": <emulator pid>}` there once the emulator has started.
 */
export function supervisedSpawn(
  command: string,
  args: readonly string[],
  options: { readonly parentPid?: number; readonly graceMs?: number } = {},
): SupervisedSpawn {
  const parentPid = options.parentPid ?? process.pid;
  const graceMs = options.graceMs ?? 3_000;
  return {
    command: process.execPath,
    args: ['-e', SUPERVISOR_SOURCE, '--', String(parentPid), String(graceMs), command, ...args],
  };
}
