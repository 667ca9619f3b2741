import { answersHttp } from '../../src/emulators/http-probe.js';
import { runFixtureJest } from '../support/child-jest.js';
import { isAlive, waitUntilGone } from '../support/processes.js';

interface Started {
  endpoint: string;
  pid: number;
  supervisorPid: number;
}

function parseStarted(line: string): Started {
  const match = /started moto on (\S+) (\{.*\})$/.exec(line);
  if (match?.[1] === undefined || match[2] === undefined) throw new Error(`unexpected log line: ${line}`);
  const context = JSON.parse(match[2]) as { pid: number; supervisorPid: number };
  return { endpoint: match[1], pid: context.pid, supervisorPid: context.supervisorPid };
}

describe('the emulator watchdog', () => {
  it('ends the emulators when the jest process that started them is killed with SIGKILL', async () => {
    const jest = runFixtureJest(['test/integration/hold'], { STATEBACKEND_TESTKIT_LOG: 'info' });
    const started = parseStarted(await jest.stderrLine(/started moto on /));
    await jest.stderrLine(/test targets ready/);
    expect(isAlive(started.pid)).toBe(true);
    // A loaded machine can keep moto (single-threaded) from answering within the default second.
    expect(await answersHttp(started.endpoint, 15_000)).toBe(true);

    jest.process.kill('SIGKILL');
    expect(await jest.exited).toEqual({ code: null, signal: 'SIGKILL' });

    await waitUntilGone(started.pid, 5_000);
    await waitUntilGone(started.supervisorPid, 5_000);
    expect(await answersHttp(started.endpoint)).toBe(false);
  });
});
