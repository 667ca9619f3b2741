import type { RunningTargets } from '../targets/start-targets.js';

// Jest runs the global setup and teardown in its main process but may load them as separate
// module instances; a global is the documented way to hand state from one to the other.
const KEY = Symbol.for('@statebackend/testkit/running-targets');

interface WithRunningTargets {
  [KEY]?: RunningTargets;
}

/** Records what the global setup started, for the global teardown. */
export function setRunningTargets(running: RunningTargets | undefined): void {
  const holder = globalThis as typeof globalThis & WithRunningTargets;
  if (running === undefined) delete holder[KEY];
  else holder[KEY] = running;
}

/** What the global setup started in this process, if anything. */
export function getRunningTargets(): RunningTargets | undefined {
  const holder = globalThis as typeof globalThis & WithRunningTargets;
  return holder[KEY];
}
