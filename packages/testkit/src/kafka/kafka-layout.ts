import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorsDir } from '../emulators/install-layout.js';
import { EmulatorNotInstalledError } from '../errors.js';

/** The Apache Kafka version `scripts/install-emulators.mjs` installs (`org.apache.kafka:kafka_2.13`). */
export const KAFKA_VERSION = '4.1.1';

/** The folder of Kafka's jars, for a `java -cp '<folder>/*'` class path. */
export function kafkaLibDir(dir: string = emulatorsDir()): string {
  const lib = join(dir, 'kafka', 'lib');
  const jar = join(lib, `kafka_2.13-${KAFKA_VERSION}.jar`);
  if (!existsSync(jar)) {
    throw new EmulatorNotInstalledError(
      `Apache Kafka ${KAFKA_VERSION} is not installed (looked for ${jar}). Run \`pnpm run emulators:install\` ` +
        'at the repository root (it needs Java 17+ and Maven).',
    );
  }
  return lib;
}
