/** Where the command writes: stdout and stderr as plain text sinks, injected for tests. */
export interface Writer {
  write(text: string): void;
}

/** What a command gets from its process: output, environment, and the signal that stops it. */
export interface CliIo {
  readonly stdout: Writer;
  readonly stderr: Writer;
  /** True when stderr is a terminal: progress (on stderr) is drawn as a bar rather than as lines. */
  readonly isTTY: boolean;
  /** The width of the terminal stderr is, now; undefined when unknown. The progress bar fits in it. */
  readonly columns?: () => number | undefined;
  /** Environment variables (`STATEBACKEND_*`, `AWS_*`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory relative paths are resolved against. */
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM: long commands drain, checkpoint and stop. */
  readonly signal?: AbortSignal;
}

/** A {@link Writer} that keeps what is written, for tests and for composing output. */
export class BufferWriter implements Writer {
  #text = '';

  write(text: string): void {
    this.#text += text;
  }

  get text(): string {
    return this.#text;
  }
}
