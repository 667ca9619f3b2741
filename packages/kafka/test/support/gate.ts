/** A promise a test opens by hand, to hold one worker at a step while others move. */
export class Gate {
  readonly #opened: Promise<void>;
  #open: () => void = () => undefined;
  #reached: () => void = () => undefined;
  /** Settles once something waits at the gate. */
  readonly reached: Promise<void>;

  constructor() {
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
    this.reached = new Promise((resolve) => {
      this.#reached = resolve;
    });
  }

  /** Waits here until {@link open} is called. */
  pass(): Promise<void> {
    this.#reached();
    return this.#opened;
  }

  open(): void {
    this.isOpen = true;
    this.#open();
  }

  /** True once {@link open} was called. */
  isOpen = false;
}

/** A promise settled by the first call of the returned function that satisfies `accept`. */
export function firstCall<T>(accept: (value: T) => boolean): {
  promise: Promise<T>;
  call: (value: T) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, call: (value) => (accept(value) ? resolve(value) : undefined) };
}
