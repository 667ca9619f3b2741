// A small benchmark harness: warm-up, several interleaved rounds, the median of each, and ratios
// against a baseline measured in the same run (so machine speed cancels out).

import { openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

let sink = 0;

function timeOps(fn, ops, offset) {
  const start = performance.now();
  for (let i = 0; i < ops; i++) sink += fn(offset + i);
  return performance.now() - start;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measures every case, the baseline first, and returns their median ops/s and ratio to the
 * baseline. Rounds are interleaved (baseline, a, b, baseline, a, b, ...) so that drift in
 * machine speed spreads over all cases alike.
 */
export function compare({ baseline, cases, rounds = 9, warmupMs = 300, roundMs = 200 }) {
  const all = [baseline, ...cases];
  const batch = all.map((c) => {
    // Warm-up also calibrates how many operations fill one round.
    let ops = 1000;
    let elapsed = timeOps(c.run, ops, 0);
    while (elapsed < warmupMs) {
      ops *= 2;
      elapsed = timeOps(c.run, ops, 0);
    }
    return Math.max(1, Math.round((ops / elapsed) * roundMs));
  });
  const samples = all.map(() => []);
  for (let round = 0; round < rounds; round++) {
    all.forEach((c, index) => {
      const ops = batch[index];
      samples[index].push((ops / timeOps(c.run, ops, round * ops)) * 1000);
    });
  }
  const medians = samples.map(median);
  const base = medians[0];
  return all.map((c, index) => ({
    name: c.name,
    opsPerSecond: medians[index],
    ratio: medians[index] / base,
    spread: (Math.max(...samples[index]) - Math.min(...samples[index])) / medians[index],
  }));
}

/** Prints results as a table: ops/s, ratio to the baseline (first row) and the round spread. */
export function printResults(title, results) {
  console.log(`\n${title}`);
  console.log(
    `${'case'.padEnd(34)} ${'ops/s'.padStart(12)} ${'vs baseline'.padStart(12)} ${'spread'.padStart(8)}`,
  );
  for (const r of results) {
    const ops = Math.round(r.opsPerSecond).toLocaleString('en-US');
    const ratio = `${r.ratio.toFixed(2)}x`;
    const spread = `±${((r.spread * 100) / 2).toFixed(1)}%`;
    console.log(`${r.name.padEnd(34)} ${ops.padStart(12)} ${ratio.padStart(12)} ${spread.padStart(8)}`);
  }
}

/** Read by nothing; keeps the measured work observable so the engine cannot drop it. */
export function sinkValue() {
  return sink;
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
