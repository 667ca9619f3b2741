// Timing helpers for the benchmarks: best of several rounds, so that one garbage collection or
// a neighbour's burst on the shared cores does not decide a ratio.

/** Nanoseconds per operation of `run(n)`, the best of `rounds` rounds after a warm-up. */
export function nsPerOp(run: (n: number) => void, n: number, rounds = 5): number {
  run(Math.min(n, 100_000));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    run(n);
    const elapsed = Number(process.hrtime.bigint() - start);
    best = Math.min(best, elapsed / n);
  }
  return best;
}

/** CPU milliseconds (user + system) of one call of `run` after `prepare` (not counted), the best of `rounds`. */
export async function cpuMs(
  prepare: () => void,
  run: () => Promise<void> | void,
  rounds = 5,
): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    prepare();
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

export function row(label: string, value: string): void {
  console.log(`  ${label.padEnd(58)} ${value}`);
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}
