#!/usr/bin/env node
import { main } from '../cli/main.js';

// SIGINT/SIGTERM abort the command: run-example drains what is in flight and checkpoints. A
// second signal exits at once.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}

const code = await main(process.argv.slice(2), {
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: { write: (text) => void process.stderr.write(text) },
  isTTY: process.stderr.isTTY === true,
  columns: () => process.stderr.columns,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
