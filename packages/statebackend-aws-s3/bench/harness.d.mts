/** One measured asynchronous operation; `run(round)` may return the bytes it moved (round -1 is the warm-up). */
export interface AsyncBenchCase {
  readonly name: string;
  readonly run: (round: number) => Promise<number | undefined>;
  /** Untimed clean-up after each round, awaited before the next case runs. */
  readonly after?: (round: number) => Promise<void>;
}

export interface AsyncBenchResult {
  readonly name: string;
  /** Median over the rounds. */
  readonly ms: number;
  /** Median bytes over median time, when the case reported bytes. */
  readonly mbPerSecond: number | undefined;
  /** Baseline's median time over this case's: above 1 is faster than the baseline. */
  readonly ratio: number;
}

export function median(values: readonly number[]): number;
export function timeOnce(
  run: (round: number) => Promise<number | undefined>,
  round: number,
): Promise<{ ms: number; bytes: number }>;
export function compareAsync(options: {
  baseline: AsyncBenchCase;
  cases: readonly AsyncBenchCase[];
  rounds?: number;
}): Promise<AsyncBenchResult[]>;
export function printResults(title: string, results: readonly AsyncBenchResult[]): void;
export function printFigure(name: string, value: string, goal: string): void;
/**
 * Milliseconds the calling thread spent runnable but waiting for a CPU (Linux: `run_delay` of
 * /proc/thread-self/schedstat); undefined elsewhere.
 */
export function runQueueWaitMs(): number | undefined;
