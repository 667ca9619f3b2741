import { TestTargetError } from '../errors.js';
import { StepScheduler } from './step-scheduler.js';

/**
 * The environment variable that sets how many random interleavings each handover model check
 * runs per scenario (besides its bounded exhaustive exploration). Unset: the test's own count,
 * sized for CI. `STATEBACKEND_HANDOVER_RUNS=5000` runs five thousand.
 */
export const HANDOVER_RUNS_ENV = 'STATEBACKEND_HANDOVER_RUNS';

/** The environment variable that sets the first seed of the random interleavings (default 1). */
export const HANDOVER_SEED_ENV = 'STATEBACKEND_HANDOVER_SEED';

/**
 * How many random interleavings a handover model check runs: {@link HANDOVER_RUNS_ENV} when set,
 * else `ciDefault`.
 *
 * @throws TestTargetError when the variable is not a non-negative integer.
 */
export function handoverRuns(ciDefault: number, env: NodeJS.ProcessEnv = process.env): number {
  return nonNegativeInteger(env, HANDOVER_RUNS_ENV) ?? ciDefault;
}

/** What {@link exploreRandomInterleavings} covered. */
export interface RandomExplorationReport {
  /** Runs made. */
  readonly interleavings: number;
  /** Runs whose order of steps differed from every earlier run's. */
  readonly distinct: number;
  /** The most steps one run took. */
  readonly maxSteps: number;
  /** The seed of the first run; run `i` used `seed + i`. */
  readonly seed: number;
}

/**
 * Runs `runOnce` `runs` times, each under a random order of the owners' steps (every waiting
 * step equally likely at each decision, no preemption bound), from seeds `seed`, `seed + 1`, ...
 * so that a failing run can be replayed alone with its seed. Complements
 * `exploreInterleavings`, which covers every order up to a preemption bound: random orders reach
 * deeper ones (many switches between owners) that the bound leaves out.
 *
 * A run that throws is rethrown with its seed in the message. With a `label`, progress goes to
 * stderr every 100 runs (a long exploration's) and the report once it is done.
 */
export async function exploreRandomInterleavings(
  runOnce: (scheduler: StepScheduler) => Promise<void>,
  options: {
    readonly runs: number;
    readonly seed?: number;
    /** Names the store and scenario in the progress and report lines written to stderr. */
    readonly label?: string;
  },
): Promise<RandomExplorationReport> {
  const first = options.seed ?? nonNegativeInteger(process.env, HANDOVER_SEED_ENV) ?? 1;
  const seen = new Set<string>();
  let maxSteps = 0;
  for (let i = 0; i < options.runs; i++) {
    const seed = first + i;
    const scheduler = new StepScheduler({ kind: 'random', random: mulberry32(seed) });
    try {
      await runOnce(scheduler);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Random interleaving ${i + 1} of ${options.runs} failed (replay it with ${HANDOVER_SEED_ENV}=${seed} ` +
          `${HANDOVER_RUNS_ENV}=1): ${message}`,
        { cause: error },
      );
    }
    // The choices made name the order (labels may carry run-specific paths).
    seen.add(scheduler.choices.map((c) => `${c.index}/${c.options}`).join(' '));
    maxSteps = Math.max(maxSteps, scheduler.trace.length);
    if (options.label !== undefined && (i + 1) % 100 === 0 && i + 1 < options.runs) {
      process.stderr.write(`${options.label}: ${i + 1} random interleavings so far, ${seen.size} distinct\n`);
    }
  }
  if (options.label !== undefined) {
    process.stderr.write(
      `${options.label}: ${options.runs} random interleavings from seed ${first}, ` +
        `${seen.size} distinct, up to ${maxSteps} steps\n`,
    );
  }
  return { interleavings: options.runs, distinct: seen.size, maxSteps, seed: first };
}

/** A small seeded generator of numbers in [0, 1): the same seed gives the same orders. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nonNegativeInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim() ?? '';
  if (raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TestTargetError(
      `${name} is '${raw}'; expected a non-negative integer (unset: the test's default).`,
    );
  }
  return value;
}
