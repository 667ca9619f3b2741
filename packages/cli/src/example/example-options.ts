import type { OptionSpecs } from '../cli/parse.js';

/** The job and operator ids the example checkpoints under. */
export const EXAMPLE_SCOPE = { jobId: 'click-example', operatorId: 'sessions' } as const;

/** The default local directory of the example's checkpoints. */
export const DEFAULT_EXAMPLE_DIRECTORY = '.statebackend';

/** Options that choose where state lives, shared by the commands that open a backend. */
export const AWS_OPTIONS: OptionSpecs = {
  region: { type: 'string', value: '<region>', description: 'AWS region (default: aws.region, AWS_REGION)' },
  endpoint: {
    type: 'string',
    value: '<url>',
    description: 'service endpoint, e.g. http://localhost:4566 for LocalStack or an emulator',
  },
  config: { type: 'string', value: '<yaml>', description: 'a YAML file of aws.* and state.backend.* keys' },
};

/** Options of `run-example`. */
export const RUN_EXAMPLE_OPTIONS: OptionSpecs = {
  dir: {
    type: 'string',
    value: '<path>',
    description: `local checkpoint directory of the heap backend (default ./${DEFAULT_EXAMPLE_DIRECTORY})`,
  },
  backend: { type: 'string', value: 'heap|s3|dynamodb', description: 'the state backend (default heap)' },
  location: {
    type: 'string',
    value: '<location>',
    description: 'where checkpoints go: a directory, s3://bucket/prefix or dynamodb://table',
  },
  ...AWS_OPTIONS,
  metrics: {
    type: 'string',
    value: 'console|cloudwatch',
    description: 'report metrics (console: to stderr)',
  },
  records: { type: 'string', value: '<n>', description: 'clicks in the generated stream (default 20000)' },
  users: { type: 'string', value: '<n>', description: 'distinct users (default 500)' },
  seed: { type: 'string', value: '<n>', description: 'seed of the stream (default 42)' },
  'checkpoint-every': {
    type: 'string',
    value: '<n>',
    description: 'checkpoint every n clicks (default 1000)',
  },
  'checkpoint-interval': {
    type: 'string',
    value: '<ms>',
    description: 'and at least every ms milliseconds (default 1000)',
  },
  'max-in-flight': {
    type: 'string',
    value: '<n>',
    description: 'clicks processed concurrently (default 16)',
  },
  checkpoint: {
    type: 'string',
    value: '<id>',
    description:
      'restore this checkpoint instead of the latest: a rollback (newer checkpoints stay until this run completes one)',
  },
  json: { type: 'boolean', description: 'print the summary as JSON' },
  source: {
    type: 'string',
    value: 'kafka://<host:port>/<topic>',
    description:
      'instead of the generated stream: one worker of a click-count job on a Kafka topic (run it N times with the same --location to share the partitions and their state)',
  },
  group: {
    type: 'string',
    value: '<id>',
    description: 'with --source: the consumer group of the workers (default statebackend-example-<topic>)',
  },
  partitions: {
    type: 'string',
    value: '<n>',
    description: "with --source: the topic's partitions, one key group each (default 12)",
  },
  produce: {
    type: 'boolean',
    description: 'with --source: create the topics if missing and write the generated clicks first',
  },
  seconds: {
    type: 'string',
    value: '<n>',
    description: 'with --source: stop after n seconds (default: on Ctrl-C)',
  },
};
