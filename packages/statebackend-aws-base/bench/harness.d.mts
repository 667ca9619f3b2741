/** One measured operation: `run(i)` does it once for iteration `i` and returns any number. */
export interface BenchCase {
  readonly name: string;
  readonly run: (i: number) => number;
}

export interface BenchResult {
  readonly name: string;
  /** Median over the rounds. */
  readonly opsPerSecond: number;
  /** `opsPerSecond` divided by the baseline's. */
  readonly ratio: number;
  /** (max - min) / median over the rounds. */
  readonly spread: number;
}

export function compare(options: {
  baseline: BenchCase;
  cases: readonly BenchCase[];
  rounds?: number;
  warmupMs?: number;
  roundMs?: number;
}): BenchResult[];

export function printResults(title: string, results: readonly BenchResult[]): void;

export function sinkValue(): number;

/**
 * Milliseconds the calling thread spent runnable but waiting for a CPU (Linux: `run_delay` of
 * /proc/thread-self/schedstat); undefined elsewhere.
 */
export function runQueueWaitMs(): number | undefined;
