/** Called by a step once the operation it guarded has completed. */
export type StepDone = () => void;

/**
 * Where an owner's steps wait for their turn: `gate(owner, label)` resolves when the scheduler
 * lets the step run, with a function to call once the step's operation completed.
 */
export type StepGate = (owner: string, label: string) => Promise<StepDone>;

/** One decision of a run: which of `options` waiting steps ran. */
export interface StepChoice {
  readonly index: number;
  readonly options: number;
}

interface WaitingStep {
  readonly owner: string;
  readonly label: string;
  readonly arrival: number;
  readonly release: () => void;
}

/** How the scheduler picks the next step when several wait. */
export type ChoicePolicy =
  | { readonly kind: 'replay'; readonly prefix: readonly number[]; readonly maxPreemptions: number }
  | { readonly kind: 'random'; readonly random: () => number };

/**
 * Runs owners' steps one at a time, in an order chosen at each point where several owners wait:
 * the core of a stateless model checker (as CHESS does it). Each guarded operation (a storage
 * request) runs alone and completes before the next decision, so an operation is atomic and
 * only the order of operations varies. A run replays a prefix of choices and then takes the
 * first option; {@link exploreInterleavings} enumerates the prefixes depth first.
 *
 * Between steps the owners run their own code until each one waits at a gate or has finished.
 * That moment is recognised by counting steps that arrive and complete across event-loop turns
 * (an owner's code between two requests runs in promise jobs and I/O callbacks, never on a timer
 * of ours), not by waiting for a fixed time.
 */
export class StepScheduler {
  readonly choices: StepChoice[] = [];
  /** Labels of the steps in the order they ran, for a failing run's message. */
  readonly trace: string[] = [];
  readonly #waiting: WaitingStep[] = [];
  readonly #finished = new Set<string>();
  #owners: readonly string[] = [];
  #running = false;
  #inFlight = 0;
  #events = 0;
  #arrivals = 0;
  #lastOwner: string | undefined;
  #preemptions = 0;
  readonly #policy: ChoicePolicy;

  constructor(policy: ChoicePolicy) {
    this.#policy = policy;
  }

  /** The gate owners' storage calls; it lets every step through while no run is going on. */
  readonly gate: StepGate = (owner, label) => {
    if (!this.#running || !this.#owners.includes(owner)) return Promise.resolve(() => undefined);
    return new Promise<StepDone>((resolve) => {
      this.#events++;
      this.#waiting.push({
        owner,
        label,
        arrival: this.#arrivals++,
        release: () => {
          this.#inFlight++;
          let done = false;
          resolve(() => {
            if (done) return;
            done = true;
            this.#inFlight--;
            this.#events++;
          });
        },
      });
    });
  };

  /**
   * Runs `tasks` (one per owner) to completion, interleaving their gated steps. Resolves with each
   * task's outcome (a rejected task's error as its value).
   */
  async run(tasks: Readonly<Record<string, () => Promise<unknown>>>): Promise<Record<string, unknown>> {
    this.#owners = Object.keys(tasks);
    this.#running = true;
    const outcomes: Record<string, unknown> = {};
    const all = Object.entries(tasks).map(async ([owner, task]) => {
      try {
        outcomes[owner] = await task();
      } catch (error) {
        outcomes[owner] = error;
      } finally {
        this.#finished.add(owner);
        this.#events++;
      }
    });
    try {
      for (;;) {
        await this.#quiesce();
        if (this.#waiting.length === 0) break;
        this.#releaseNext();
      }
      await Promise.all(all);
    } finally {
      this.#running = false;
      for (const step of this.#waiting.splice(0)) step.release();
    }
    return outcomes;
  }

  /** Waits until no step is in flight and every owner waits at a gate or has finished. */
  async #quiesce(): Promise<void> {
    for (let idle = 0; ; ) {
      const before = this.#events;
      await nextTurn();
      const settled =
        this.#inFlight === 0 &&
        this.#owners.every((o) => this.#finished.has(o) || this.#waiting.some((s) => s.owner === o));
      idle = settled && before === this.#events ? idle + 1 : 0;
      // Two quiet turns: an owner's parallel branch that is still between requests shows up in one.
      if (idle >= 2) return;
    }
  }

  #releaseNext(): void {
    const options = [...this.#waiting].sort((a, b) =>
      a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : a.arrival - b.arrival,
    );
    let eligible = options;
    if (this.#policy.kind === 'replay' && this.#preemptions >= this.#policy.maxPreemptions) {
      // Out of preemptions: the owner that ran last continues while it can.
      const same = options.filter((s) => s.owner === this.#lastOwner);
      if (same.length > 0) eligible = same;
    }
    let index = 0;
    if (eligible.length > 1) {
      if (this.#policy.kind === 'random') {
        index = Math.floor(this.#policy.random() * eligible.length);
      } else {
        index = Math.min(this.#policy.prefix[this.choices.length] ?? 0, eligible.length - 1);
      }
      this.choices.push({ index, options: eligible.length });
    }
    const step = eligible[index] as WaitingStep;
    const lastStillWaiting = options.some((s) => s.owner === this.#lastOwner);
    if (this.#lastOwner !== undefined && step.owner !== this.#lastOwner && lastStillWaiting)
      this.#preemptions++;
    this.#lastOwner = step.owner;
    this.#waiting.splice(this.#waiting.indexOf(step), 1);
    this.trace.push(`${step.owner}: ${step.label}`);
    step.release();
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The prefix of the next run after a run that made `choices`, depth first; undefined when done. */
export function nextPrefix(choices: readonly StepChoice[]): number[] | undefined {
  for (let i = choices.length - 1; i >= 0; i--) {
    const choice = choices[i] as StepChoice;
    if (choice.index + 1 < choice.options) {
      return [...choices.slice(0, i).map((c) => c.index), choice.index + 1];
    }
  }
  return undefined;
}

/** What {@link exploreInterleavings} covered. */
export interface ExplorationReport {
  /** Runs made: each a distinct order of the owners' steps. */
  readonly interleavings: number;
  /** True when every order within the preemption bound was run (false: stopped at `maxRuns`). */
  readonly complete: boolean;
}

/**
 * Runs `runOnce` under every order of the owners' steps with at most `maxPreemptions` switches
 * away from an owner that could have continued (preemption bounding: most concurrency bugs need
 * one or two), up to `maxRuns` runs. `runOnce` asserts its invariant and throws on a violation.
 */
export async function exploreInterleavings(
  runOnce: (scheduler: StepScheduler) => Promise<void>,
  options: { readonly maxPreemptions: number; readonly maxRuns: number },
): Promise<ExplorationReport> {
  let prefix: number[] | undefined = [];
  let interleavings = 0;
  while (prefix !== undefined && interleavings < options.maxRuns) {
    const scheduler = new StepScheduler({ kind: 'replay', prefix, maxPreemptions: options.maxPreemptions });
    await runOnce(scheduler);
    interleavings++;
    prefix = nextPrefix(scheduler.choices);
  }
  return { interleavings, complete: prefix === undefined };
}
