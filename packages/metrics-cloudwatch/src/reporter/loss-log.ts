import type { Logger } from '@statebackend/aws-base';
import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import type { CloudWatchPublishError } from '../errors.js';
import type { DropReason } from './reporter-statistics.js';

const DROP_EXPLANATIONS: Readonly<Record<DropReason, string>> = {
  'invalid-value': 'a value CloudWatch cannot take (NaN, infinite or beyond ±2^360)',
  'invalid-name': 'a metric with a blank name',
  'buffer-overflow':
    'CloudWatch was unreachable long enough to fill buffer.max-datums; the oldest were dropped',
  expired: 'buffered datums older than CloudWatch accepts (two weeks)',
  rejected:
    'CloudWatch rejected them as invalid (each was isolated; the other datums of its request were delivered)',
  'undelivered-at-close': 'still undelivered when the reporter closed',
};

/** Up to 10 distinct metric names, for a log line. */
export function sampleNames(names: readonly (string | undefined)[]): string[] {
  return [...new Set(names.map((n) => n ?? ''))].slice(0, 10);
}

/**
 * What the reporter tells its logger about data it keeps or loses, truthfully: one warning per
 * cause of loss (later ones at debug level; `droppedDatums` counts them all), an error for each
 * failed delivery saying what is kept for when, and one error naming the loss at close.
 */
export class LossLog {
  readonly #warned = new Set<DropReason>();
  readonly #logger: () => Logger;

  /** `logger` is read at each call: the reporter takes the registry's when it is opened. */
  constructor(logger: () => Logger) {
    this.#logger = logger;
  }

  dropped(reason: DropReason, datums: number, context?: Readonly<Record<string, unknown>>): void {
    if (reason === 'undelivered-at-close') return; // logged by closedWithLoss, with its cause
    if (this.#warned.has(reason)) {
      this.#logger().debug(`CloudWatch reporter dropped ${datums} datums (${reason})`, context);
      return;
    }
    this.#warned.add(reason);
    this.#logger().warn(
      `CloudWatch reporter dropped ${datums} datums: ${DROP_EXPLANATIONS[reason]}. Counted in droppedDatums ('${reason}'); ` +
        'further drops for this cause are counted, not logged',
      context,
    );
  }

  /** A delivery failed and the data waits: `buffered` in the buffer, the rest with their counters. */
  kept(
    undelivered: number,
    buffered: number,
    lastError: CloudWatchPublishError | undefined,
    until: 'the next report' | 'the last delivery of close()',
  ): void {
    this.#logger().error(
      `${lastError?.message ?? 'PutMetricData failed'}; ${undelivered} datums undelivered are kept for ${until} ` +
        `(${buffered} in the buffer, ${undelivered - buffered} counter deltas kept by their counters)`,
      { code: lastError?.code, datums: undelivered },
    );
  }

  /** The reporter closed with `undelivered` datums it could not deliver: they are lost. */
  closedWithLoss(undelivered: readonly OutgoingDatum[], why: string, code: string | undefined): void {
    this.#logger().error(
      `CloudWatch reporter closed with ${undelivered.length} datums undelivered because ${why}: they are lost, counted in droppedDatums ('undelivered-at-close')`,
      { datums: undelivered.length, code, metrics: sampleNames(undelivered.map((d) => d.datum.MetricName)) },
    );
  }
}
