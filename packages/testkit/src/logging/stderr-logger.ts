import type { Logger } from '@statebackend/aws-base';
import { TestkitError } from '../errors.js';

/** How much the harness reports about emulators and targets. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Sets the harness's {@link LogLevel}; `warn` when unset. */
export const TESTKIT_LOG_ENV = 'STATEBACKEND_TESTKIT_LOG';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * A {@link Logger} writing one line per message to a stream (stderr by default), for the jest
 * global setup, which runs outside any test and has no logger of its own to be handed.
 */
export function streamLogger(level: LogLevel, stream: NodeJS.WritableStream = process.stderr): Logger {
  const threshold = LEVELS.indexOf(level);
  const write =
    (at: Exclude<LogLevel, 'silent'>) =>
    (message: string, context?: Readonly<Record<string, unknown>>): void => {
      if (LEVELS.indexOf(at) < threshold) return;
      const details = context === undefined ? '' : ` ${JSON.stringify(context)}`;
      stream.write(`[testkit] ${at} ${message}${details}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** The harness logger as {@link TESTKIT_LOG_ENV} asks for it. */
export function loggerFromEnv(env: NodeJS.ProcessEnv = process.env): Logger {
  const raw = env[TESTKIT_LOG_ENV]?.trim().toLowerCase() ?? '';
  if (raw === '') return streamLogger('warn');
  const level = LEVELS.find((l) => l === raw);
  if (level === undefined) {
    throw new TestkitError(`${TESTKIT_LOG_ENV} is '${raw}'; expected one of ${LEVELS.join(', ')}.`);
  }
  return streamLogger(level);
}
