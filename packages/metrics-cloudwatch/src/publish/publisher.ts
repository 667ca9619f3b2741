import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import { CloudWatchPublishError } from '../errors.js';
import type { ReporterStatistics } from '../reporter/reporter-statistics.js';
import { toBatches } from './batches.js';
import { classifyError, errorCode } from './error-kind.js';

/** Sends one PutMetricData request; `abortSignal` ends it early (the reporter's close timeout). */
export type Send = (
  input: PutMetricDataCommandInput,
  options: { abortSignal?: AbortSignal },
) => Promise<unknown>;

/** How the publisher sends and retries. */
export interface PublisherOptions {
  readonly namespace: string;
  readonly maxDatumsPerRequest: number;
  readonly maxRequestBytes: number;
  /** Most `Values` entries of one metric in one request (150, a CloudWatch limit). */
  readonly maxValuesPerMetric: number;
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Sends one PutMetricData request (the API, or a dry-run log). */
  readonly send: Send;
  readonly sleep: (ms: number) => Promise<void>;
  /** The scheduler's clock, for the deadline. */
  readonly now: () => number;
  /** In [0, 1); for jitter. */
  readonly random: () => number;
  readonly statistics: ReporterStatistics;
}

/**
 * A time by which a publish must end, once there is one (the reporter's close timeout starts
 * while a report may be running): what is not delivered by then is left undelivered.
 */
export interface Deadline {
  /** On the scheduler's clock; undefined while there is no deadline yet. */
  atMs(): number | undefined;
  /** Aborted when the time is up, ending a request in flight. */
  readonly signal: AbortSignal;
}

/** What a publish delivered, rejected and left undelivered (in order), and the last failure. */
export interface PublishResult {
  readonly undelivered: OutgoingDatum[];
  /**
   * Datums CloudWatch rejected as invalid, each isolated in a request of its own, with the
   * error; acknowledged (a counter does not resend the delta), for the caller to count.
   */
  readonly rejected: RejectedDatum[];
  readonly lastError: CloudWatchPublishError | undefined;
  /** True when the deadline ended the publish. */
  readonly timedOut: boolean;
}

/** A datum CloudWatch rejected on its own, and why. */
export interface RejectedDatum {
  readonly outgoing: OutgoingDatum;
  readonly code: string;
  readonly message: string;
}

type Attempt =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'invalid'; readonly error: unknown }
  | { readonly kind: 'unreachable' };

class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * Sends datums in requests within CloudWatch's limits, one request at a time, and acknowledges
 * each datum only once CloudWatch accepted its request.
 *
 * - Throttling and transient errors are retried up to `maxAttempts` with exponential back-off
 *   and full jitter (a random delay up to `min(maxDelay, baseDelay * 2^retry)`).
 * - A request rejected for its content is split in halves, and each half that is rejected again
 *   is split again, until every invalid datum is alone: it is dropped (and acknowledged, so that
 *   a counter does not resend it forever); every valid datum is delivered. That takes at most
 *   about `2 × bad datums × log2(datums)` extra requests, with no fixed budget that could give up
 *   on valid datums.
 * - Any other failure, retries exhausted, or the deadline passed means CloudWatch is
 *   unreachable: the rest of this publish is not attempted and comes back as undelivered,
 *   exactly the datums whose requests were not accepted.
 */
export class Publisher {
  readonly #options: PublisherOptions;

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  async publish(datums: readonly OutgoingDatum[], deadline?: Deadline): Promise<PublishResult> {
    const state: PublishState = { undelivered: [], rejected: [], lastError: undefined, timedOut: false };
    const batches = toBatches(datums, {
      namespace: this.#options.namespace,
      maxDatums: this.#options.maxDatumsPerRequest,
      maxBytes: this.#options.maxRequestBytes,
      maxValuesPerMetric: this.#options.maxValuesPerMetric,
    });
    let reachable = true;
    for (const batch of batches) {
      if (reachable) reachable = await this.#deliver(batch, state, deadline);
      else state.undelivered.push(...batch);
    }
    if (state.undelivered.length > 1) {
      const position = new Map(datums.map((outgoing, index) => [outgoing, index]));
      state.undelivered.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    }
    return state;
  }

  /** Delivers `batch`, isolating invalid datums; false when CloudWatch turned out unreachable. */
  async #deliver(batch: OutgoingDatum[], state: PublishState, deadline?: Deadline): Promise<boolean> {
    const attempt = await this.#attempt(batch, state, deadline);
    if (attempt.kind === 'delivered') return true;
    if (attempt.kind === 'unreachable') {
      state.undelivered.push(...batch);
      return false;
    }
    if (batch.length === 1) {
      for (const outgoing of batch) {
        outgoing.ack?.();
        state.rejected.push({
          outgoing,
          code: errorCode(attempt.error),
          message: errorMessage(attempt.error),
        });
      }
      return true;
    }
    const middle = Math.ceil(batch.length / 2);
    const second = batch.slice(middle);
    if (!(await this.#deliver(batch.slice(0, middle), state, deadline))) {
      state.undelivered.push(...second);
      return false;
    }
    return this.#deliver(second, state, deadline);
  }

  async #attempt(batch: OutgoingDatum[], state: PublishState, deadline?: Deadline): Promise<Attempt> {
    const { maxAttempts, statistics } = this.#options;
    for (let attempt = 1; ; attempt++) {
      if (deadline !== undefined && this.#passed(deadline)) return this.#timedOut(batch, state, attempt - 1);
      statistics.requests.inc();
      try {
        await this.#send(batch, deadline);
        for (const outgoing of batch) outgoing.ack?.();
        statistics.datumsSent.inc(batch.length);
        return { kind: 'delivered' };
      } catch (error) {
        statistics.failedRequests.inc();
        if (error instanceof DeadlineExceeded) return this.#timedOut(batch, state, attempt);
        const kind = classifyError(error);
        if (kind === 'invalid-data' || kind === 'too-large') return { kind: 'invalid', error };
        if (kind === 'retryable' && attempt < maxAttempts) {
          const pause = this.#backoff(attempt);
          const atMs = deadline?.atMs();
          const left = atMs === undefined ? pause : atMs - this.#options.now();
          if (left <= 0) return this.#timedOut(batch, state, attempt); // no time left for a retry
          statistics.retries.inc();
          await this.#options.sleep(Math.min(pause, left));
          continue;
        }
        const code = errorCode(error);
        state.lastError = new CloudWatchPublishError(
          `PutMetricData of ${batch.length} datums failed after ${attempt} attempt(s) with ${code}`,
          { code, datums: batch.length, retryable: kind === 'retryable', cause: error },
        );
        return { kind: 'unreachable' };
      }
    }
  }

  /** Sends one request, ending it (and waiting no longer) when the deadline passes. */
  async #send(batch: OutgoingDatum[], deadline?: Deadline): Promise<void> {
    const input = { Namespace: this.#options.namespace, MetricData: batch.map((d) => d.datum) };
    if (deadline === undefined) {
      await this.#options.send(input, {});
      return;
    }
    const signal = deadline.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new DeadlineExceeded('the close timeout passed'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {}); // settled by the race below, or never looked at again
    try {
      // A client that ignores the signal cannot keep the caller waiting past the deadline.
      await Promise.race([this.#options.send(input, { abortSignal: signal }), aborted]);
    } catch (error) {
      if (signal.aborted) throw new DeadlineExceeded('the close timeout passed', { cause: error });
      throw error;
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  #passed(deadline: Deadline): boolean {
    const atMs = deadline.atMs();
    return deadline.signal.aborted || (atMs !== undefined && this.#options.now() >= atMs);
  }

  #timedOut(batch: OutgoingDatum[], state: PublishState, attempts: number): Attempt {
    state.timedOut = true;
    state.lastError = new CloudWatchPublishError(
      `PutMetricData of ${batch.length} datums did not complete before the close timeout (${attempts} attempt(s))`,
      { code: 'CloseTimeout', datums: batch.length, retryable: true },
    );
    return { kind: 'unreachable' };
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.#options.random() * ceiling);
  }
}

interface PublishState {
  undelivered: OutgoingDatum[];
  rejected: RejectedDatum[];
  lastError: CloudWatchPublishError | undefined;
  timedOut: boolean;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
