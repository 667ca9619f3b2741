import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** What a worker process reports on stdout, one JSON object per line. */
export interface WorkerEvent {
  readonly event: 'assigned' | 'fenced' | 'freezing' | 'resumed' | 'warning' | 'stopped' | 'error';
  readonly keyGroups?: readonly number[];
  readonly message?: string;
}

export interface WorkerProcessConfig {
  readonly bootstrap: string;
  readonly groupId: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly maxParallelism: number;
  readonly checkpointDir: string;
  readonly workerId: string;
  readonly crashAtCheckpoint?: number;
  readonly freezeAtCheckpoint?: number;
  readonly sessionTimeoutMs?: number;
  /** Outputs to a file sink instead of the output topic (see worker-process.mjs). */
  readonly sink?: {
    readonly file: string;
    readonly delivery: 'after-commit' | 'at-least-once';
    readonly crashAtWrite?: number;
  };
}

/** A worker of the counting job in a child process (test/support/worker-process.mjs). */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #listeners = new Set<(event: WorkerEvent) => void>();
  readonly config: WorkerProcessConfig;

  constructor(config: WorkerProcessConfig) {
    this.config = config;
    this.child = spawn(process.execPath, [join(__dirname, 'worker-process.mjs')], {
      env: { ...process.env, STATEBACKEND_KAFKA_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code, signal }));
    const stdout = this.child.stdout;
    if (stdout !== null) {
      createInterface({ input: stdout }).on('line', (line) => {
        let event: WorkerEvent;
        try {
          event = JSON.parse(line) as WorkerEvent;
        } catch {
          return;
        }
        this.events.push(event);
        if (process.env.STATEBACKEND_KAFKA_TEST_VERBOSE === '1')
          process.stderr.write(`${config.workerId} ${line}\n`);
        for (const listener of this.#listeners) listener(event);
      });
    }
  }

  /** Resolves with the first event (already seen or still to come) that `accept` takes. */
  next(accept: (event: WorkerEvent) => boolean, timeoutMs: number): Promise<WorkerEvent> {
    const seen = this.events.find(accept);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        const last = this.events.slice(-8).map((e) => JSON.stringify(e).slice(0, 300));
        reject(
          new Error(
            `worker ${this.config.workerId}: no matching event within ${timeoutMs} ms; its last events:\n${last.join('\n')}`,
          ),
        );
      }, timeoutMs);
      const listener = (event: WorkerEvent): void => {
        if (!accept(event)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(event);
      };
      this.#listeners.add(listener);
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM and wait; SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
