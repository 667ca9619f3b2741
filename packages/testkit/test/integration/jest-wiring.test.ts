import { runFixtureJest } from '../support/child-jest.js';
import { isAlive } from '../support/processes.js';

// These run a whole jest process on test/fixtures/run, a project wired with
// withEmulators(preset, { emulators: ['moto'] }) as a package would wire it.
describe('withEmulators jest wiring', () => {
  it('starts the emulators once for integration tests, hands them to the tests, and stops them at the end', async () => {
    const jest = runFixtureJest(['test/integration/targets'], { STATEBACKEND_TESTKIT_LOG: 'debug' });
    const line = await jest.stderrLine(/started moto on /);
    const pid = Number(/"pid":(\d+)/.exec(line)?.[1]);
    const { code } = await jest.exited;
    expect({ code, stderr: jest.stderr() }).toMatchObject({ code: 0 });
    expect(jest.stderr()).toContain('stopped moto');
    expect(jest.stderr().match(/started moto on /g)).toHaveLength(1);
    expect(isAlive(pid)).toBe(false);
  });

  it('starts no emulator when only unit tests are selected', async () => {
    const jest = runFixtureJest(['test/unit'], { STATEBACKEND_TESTKIT_LOG: 'debug' });
    const { code } = await jest.exited;
    expect({ code, stderr: jest.stderr() }).toMatchObject({ code: 0 });
    expect(jest.stderr()).toContain('runs without emulators');
    expect(jest.stderr()).not.toContain('[testkit]');
  });

  it('fails the run, naming the variable, when AWS_TEST_TARGET is unknown', async () => {
    const jest = runFixtureJest(['test/integration/targets'], { AWS_TEST_TARGET: 'staging' });
    const { code } = await jest.exited;
    expect(code).not.toBe(0);
    expect(jest.stderr()).toContain("AWS_TEST_TARGET is 'staging'; expected one of local, localstack, aws");
  });
});
