/** One figure a bench measured, as recorded in bench-results/<package>.json. */
export interface BenchFigure {
  /** Stable id, lower-case words joined by `.` or `-`: `s3.restore.vs-download`. */
  readonly id: string;
  /** What the figure measures, as the README table shows it. */
  readonly label: string;
  readonly value: number;
  /** `x` (a ratio), `%`, `ms`, `ops/s`, ...: how the table prints the value. */
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  /** Met when the value is at least it (`better: 'higher'`) or at most it (`'lower'`). */
  readonly goal?: number;
  /** Printed after the value, e.g. the two times a ratio was made of: `721 ms vs 52 ms`. */
  readonly detail?: string;
}

/** A recorded figure: when it was measured, the 1-minute load average then, and the cores. */
export interface RecordedBenchFigure extends BenchFigure {
  readonly at: string;
  readonly load: number;
  readonly cpus: number;
}

export function resultsDir(): string;
export function packageOf(file: string): string;
export function resultsFile(packageName: string): string;
export function readResults(packageName: string): RecordedBenchFigure[];
export function clearResults(packageName: string): void;
/** Records one figure into the running bench's package's results file (same id: replaced). */
export function recordResult(result: BenchFigure, packageName?: string): RecordedBenchFigure;
export function meetsGoal(result: BenchFigure): boolean | undefined;
