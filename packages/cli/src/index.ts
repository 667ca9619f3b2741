// Public surface of @statebackend/cli (the `statebackend` command); nothing is defined here.
export type { CommandHelp } from './cli/help.js';
export { BufferWriter, type CliIo, type Writer } from './cli/io.js';
export { main } from './cli/main.js';
export { CliError, MissingPackageError, UnsupportedLocationError, UsageError } from './errors.js';
export {
  type Click,
  type ClickStreamOptions,
  clickAt,
  clickStream,
  PAGES,
} from './example/click-stream.js';
export { ClickJobStates, onSessionTimer, processClick } from './example/click-job.js';
export { type ExampleSummary, formatSummary, readSummary } from './example/summary.js';
export { type Location, parseLocation } from './target/location.js';
