import { loggerFromEnv } from '../logging/stderr-logger.js';
import { KAFKA_BOOTSTRAP_ENV } from './kafka-env.js';
import { type RunningKafkaBroker, startKafkaBroker } from './start-kafka.js';

const KEY = Symbol.for('@statebackend/testkit/kafka-broker');

interface WithBroker {
  [KEY]?: RunningKafkaBroker;
}

/**
 * Jest global setup of `withKafkaBroker()` (jest/kafka-config.cjs): starts one broker for the
 * run and hands its address to the workers through {@link KAFKA_BOOTSTRAP_ENV}. When that
 * variable is already set, the broker it names is used and nothing is started.
 */
export async function kafkaGlobalSetup(): Promise<void> {
  const holder = globalThis as typeof globalThis & WithBroker;
  if (holder[KEY] !== undefined) return;
  const given = process.env[KAFKA_BOOTSTRAP_ENV];
  if (given !== undefined && given !== '') return;
  const broker = await startKafkaBroker({ logger: loggerFromEnv() });
  holder[KEY] = broker;
  process.env[KAFKA_BOOTSTRAP_ENV] = broker.bootstrap;
}

/** Jest global teardown: stops the broker {@link kafkaGlobalSetup} started, if any. */
export async function kafkaGlobalTeardown(): Promise<void> {
  const holder = globalThis as typeof globalThis & WithBroker;
  const broker = holder[KEY];
  if (broker === undefined) return;
  delete holder[KEY];
  delete process.env[KAFKA_BOOTSTRAP_ENV];
  await broker.stop();
}
