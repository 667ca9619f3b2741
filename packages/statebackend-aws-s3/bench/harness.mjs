// The asynchronous counterpart of aws-base's bench harness: cases that do I/O are timed over
// several interleaved rounds (baseline, case, baseline, case, ...), the median of each is kept,
// and results are printed as ratios against the baseline measured in the same run, so that the
// speed of the machine and of the emulator cancels out.

import { openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Times `run(round)` once; `run` may return how many bytes it moved. */
export async function timeOnce(run, round) {
  const start = performance.now();
  const bytes = await run(round);
  return { ms: performance.now() - start, bytes: typeof bytes === 'number' ? bytes : 0 };
}

/** One timed round of a case, then its untimed clean-up, so that none of it runs into the next case. */
async function roundOf(c, round) {
  const sample = await timeOnce(c.run, round);
  await c.after?.(round);
  return sample;
}

/**
 * Runs the baseline and each case `rounds` times, interleaved, after one warm-up round each (each
 * round followed by the case's untimed `after`, e.g. deleting what it wrote), and
 * returns the median time (and MB/s when bytes were reported) with the ratio of throughput to
 * the baseline's (higher is better).
 */
export async function compareAsync({ baseline, cases, rounds = 3 }) {
  const all = [baseline, ...cases];
  for (const c of all) await roundOf(c, -1);
  const samples = all.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [index, c] of all.entries()) samples[index].push(await roundOf(c, round));
  }
  const results = all.map((c, index) => {
    const ms = median(samples[index].map((s) => s.ms));
    const bytes = median(samples[index].map((s) => s.bytes));
    return { name: c.name, ms, mbPerSecond: bytes > 0 ? bytes / 1024 / 1024 / (ms / 1000) : undefined };
  });
  const base = results[0];
  return results.map((r) => ({ ...r, ratio: base.ms / r.ms }));
}

/** Prints results as a table: median ms, MB/s, and speed relative to the baseline (first row). */
export function printResults(title, results) {
  console.log(`\n${title}`);
  console.log(
    `${'case'.padEnd(46)} ${'median ms'.padStart(10)} ${'MB/s'.padStart(8)} ${'vs baseline'.padStart(12)}`,
  );
  for (const r of results) {
    const mb = r.mbPerSecond === undefined ? '-' : r.mbPerSecond.toFixed(1);
    console.log(
      `${r.name.padEnd(46)} ${r.ms.toFixed(0).padStart(10)} ${mb.padStart(8)} ${`${r.ratio.toFixed(2)}x`.padStart(12)}`,
    );
  }
}

/** Prints one measured figure against its goal. */
export function printFigure(name, value, goal) {
  console.log(`${name.padEnd(70)} ${value.padStart(10)}   goal ${goal}`);
}

/**
 * Milliseconds the calling thread has spent runnable but waiting for a CPU (the scheduler's
 * `run_delay` in /proc/thread-self/schedstat), or undefined where that is not available (not
 * Linux). Differences of it tell how much of a pause the process was descheduled, which on a
 * loaded machine no code of the process can shorten. About half a microsecond per call.
 */
let schedstat;
const schedstatBuffer = new Uint8Array(96);
export function runQueueWaitMs() {
  if (schedstat === undefined) {
    try {
      schedstat = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedstat = null;
    }
  }
  if (schedstat === null) return undefined;
  const length = readSync(schedstat, schedstatBuffer, 0, schedstatBuffer.length, 0);
  // "<on-CPU ns> <run-queue wait ns> <time slices>"
  let i = 0;
  while (i < length && schedstatBuffer[i] !== 0x20) i++;
  let ns = 0;
  for (i++; i < length; i++) {
    const digit = schedstatBuffer[i] - 0x30;
    if (digit < 0 || digit > 9) break;
    ns = ns * 10 + digit;
  }
  return ns / 1e6;
}
