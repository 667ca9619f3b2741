import { type S3Client, S3ServiceException } from '@aws-sdk/client-s3';

/** How an injected fault fails a call. */
export type FaultMode = 'request-lost' | 'response-lost';

/**
 * Fails the k-th S3 call a client makes while armed, through a middleware above the SDK's retry
 * strategy (so the SDK does not retry it): `request-lost` fails before anything is sent,
 * `response-lost` sends the request, lets S3 apply it, and then fails as if the answer never came.
 */
export class S3FaultInjector {
  calls = 0;
  #failAt = 0;
  #mode: FaultMode = 'request-lost';
  #armed = false;
  /** Commands seen while armed, in order. */
  readonly commands: string[] = [];
  readonly #counts: (command: string) => boolean;

  /**
   * `step: 'initialize'` (default) sits above the SDK's retry strategy, so a failure reaches the
   * caller; `'deserialize'` sits inside it, once per attempt, so the SDK repeats the request.
   */
  constructor(
    client: S3Client,
    step: 'initialize' | 'deserialize' = 'initialize',
    /** Which commands count as calls (and can fail); default all. */
    counts: (command: string) => boolean = () => true,
  ) {
    this.#counts = counts;
    const name = 'statebackendFaultInjection';
    if (step === 'initialize') {
      client.middlewareStack.add((next, context) => this.#inject(next, context.commandName), { step, name });
    } else {
      client.middlewareStack.add((next, context) => this.#inject(next, context.commandName), { step, name });
    }
  }

  #inject<A, R>(next: (args: A) => Promise<R>, command: string | undefined): (args: A) => Promise<R> {
    return async (args) => {
      if (!this.#armed || !this.#counts(command ?? 'unknown')) return next(args);
      this.calls++;
      this.commands.push(command ?? 'unknown');
      if (this.calls !== this.#failAt) return next(args);
      if (this.#mode === 'request-lost') {
        throw new S3ServiceException({
          name: 'InternalError',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
          message: `injected failure of call ${this.calls}`,
        });
      }
      await next(args);
      throw Object.assign(new Error(`injected loss of the response to call ${this.calls}`), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
        $metadata: {},
      });
    };
  }

  /** Counts calls from now on and fails call `failAt` (0: none). */
  arm(failAt: number, mode: FaultMode = 'request-lost'): void {
    this.calls = 0;
    this.commands.length = 0;
    this.#failAt = failAt;
    this.#mode = mode;
    this.#armed = true;
  }

  disarm(): void {
    this.#armed = false;
  }
}
