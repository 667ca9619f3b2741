import { PassThrough, type Writable } from 'node:stream';
import { loggerFromEnv, parseEmulatorNames, streamLogger, TestkitError } from '../../src/index.js';

interface JestProject {
  displayName: string;
  roots: string[];
  globalSetup?: string;
  testPathIgnorePatterns?: string[];
  testEnvironmentOptions?: Record<string, unknown>;
}
const { withEmulators } = require('../../jest/config.cjs') as {
  withEmulators(base: object, options: unknown): { testTimeout: number; projects: JestProject[] };
};

function collect(stream: Writable & PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

describe('withEmulators', () => {
  const preset = { testTimeout: 60_000, roots: ['<rootDir>/test'], testEnvironment: 'node' };

  it('splits a package into a unit project that starts nothing and an integration project with the setup', () => {
    const config = withEmulators(preset, { emulators: ['ministack'] });
    const [unit, integration] = config.projects;
    expect(config.testTimeout).toBe(60_000);
    expect(unit).toMatchObject({ displayName: 'unit', roots: ['<rootDir>/test'] });
    expect(unit?.testPathIgnorePatterns).toContain('/test/integration/');
    expect(unit?.globalSetup).toBeUndefined();
    expect(integration).toMatchObject({
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testEnvironmentOptions: { statebackendEmulators: ['ministack'] },
    });
    expect(integration?.globalSetup).toMatch(/testkit\/jest\/global-setup\.cjs$/);
  });

  it('rejects an unknown or empty emulator list when the config is loaded', () => {
    expect(() => withEmulators(preset, { emulators: ['minio'] })).toThrow(
      /moto, ministack; received \["minio"\]/,
    );
    expect(() => withEmulators(preset, { emulators: [] })).toThrow('non-empty list');
  });
});

describe('parseEmulatorNames', () => {
  it('keeps the known names once each, in order', () => {
    expect(parseEmulatorNames(['ministack', 'moto', 'moto'], 'x')).toEqual(['ministack', 'moto']);
  });

  it('names where the bad value came from', () => {
    expect(() => parseEmulatorNames(['s3rver'], 'the jest project')).toThrow(
      'the jest project lists unknown emulator "s3rver"; known: moto, ministack.',
    );
    expect(() => parseEmulatorNames(undefined, 'the jest project')).toThrow(TestkitError);
  });
});

describe('streamLogger', () => {
  it('writes messages at or above its level, one line each with context as JSON', () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const logger = streamLogger('info', stream);
    logger.debug('hidden');
    logger.info('started moto', { port: 4000 });
    logger.error('failed');
    expect(text()).toBe('[testkit] info started moto {"port":4000}\n[testkit] error failed\n');
  });

  it('reads its level from STATEBACKEND_TESTKIT_LOG and rejects unknown levels', () => {
    expect(() => loggerFromEnv({ STATEBACKEND_TESTKIT_LOG: 'verbose' })).toThrow(
      "STATEBACKEND_TESTKIT_LOG is 'verbose'; expected one of debug, info, warn, error, silent.",
    );
    expect(loggerFromEnv({ STATEBACKEND_TESTKIT_LOG: 'silent' })).toBeDefined();
  });
});
