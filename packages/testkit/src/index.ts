// Public surface of @statebackend/testkit; nothing is defined here.

export {
  describeKeyedStateBackendConformance,
  ConformanceHarness,
  ManualClock,
  keyedStateConformanceCases,
  collect,
  interleave,
  seededRandom,
  type ConformanceCaseGroup,
  type KeyedStateBackendConformanceOptions,
} from './conformance/index.js';
// Checkpoint conformance cases and storage fault injection.
export {
  type CheckpointConformanceOptions,
  type ConformanceCheckpointing,
  checkpointConformanceCases,
  FailingCheckpointStorage,
  type FailureMode,
  InjectedStorageFailure,
} from './conformance/index.js';

// Emulator processes.
export {
  EMULATOR_NAMES,
  EMULATORS,
  type EmulatorDefinition,
  type EmulatorName,
  parseEmulatorNames,
} from './emulators/emulator-definitions.js';
export {
  MINISTACK_VERSION,
  ministackPath,
  EMULATORS_DIR_ENV,
  emulatorsDir,
  MOTO_VERSION,
  motoServerPath,
} from './emulators/install-layout.js';
export {
  type RunningEmulator,
  type StartEmulatorOptions,
  startEmulator,
} from './emulators/start-emulator.js';
export {
  CleanupError,
  DockerUnavailableError,
  EmulatorNotInstalledError,
  EmulatorStartError,
  LocalStackStartError,
  TestkitError,
  TestTargetError,
} from './errors.js';
// Isolation and cleanup.
export { Cleanup, cleanupAfterAll } from './isolation/cleanup.js';
export { createTestBucket } from './isolation/create-bucket.js';
export { deleteBucketIfExists } from './isolation/delete-bucket.js';
export { deleteTableIfExists } from './isolation/delete-table.js';
export { uniqueName } from './isolation/unique-name.js';
// Apache Kafka broker (packages use jest/kafka-config.cjs, which calls the global setup).
export { type BrokerPropertiesInput, brokerProperties } from './kafka/broker-properties.js';
export { KAFKA_BOOTSTRAP_ENV } from './kafka/kafka-env.js';
export { kafkaGlobalSetup, kafkaGlobalTeardown } from './kafka/kafka-global-setup.js';
export { KAFKA_VERSION, kafkaLibDir } from './kafka/kafka-layout.js';
export { type RunningKafkaBroker, type StartKafkaOptions, startKafkaBroker } from './kafka/start-kafka.js';
// Jest wiring (packages use jest/config.cjs, which calls these).
export { globalSetup, type JestProjectConfigLike } from './jest/global-setup.js';
export { globalTeardown } from './jest/global-teardown.js';

// LocalStack.
export { type DockerEngine, requireDockerEngine } from './localstack/docker-engine.js';
export {
  DEFAULT_LOCALSTACK_IMAGE,
  LOCALSTACK_AUTH_TOKEN_ENV,
  LOCALSTACK_IMAGE_ENV,
  type RunningLocalStack,
  type StartLocalStackOptions,
  startLocalStack,
} from './localstack/start-localstack.js';
// Test targets: where integration tests run.
export { type LogLevel, loggerFromEnv, streamLogger, TESTKIT_LOG_ENV } from './logging/stderr-logger.js';
export { describeEachTarget } from './targets/describe-each-target.js';
export {
  LOCAL_REGION,
  type RunningTargets,
  type StartTargetsOptions,
  startTargets,
} from './targets/start-targets.js';
export { decodeTargets, encodeTargets, TEST_TARGETS_ENV } from './targets/target-env.js';
export { AWS_TEST_TARGET_ENV, type TargetKind, targetKindFromEnv } from './targets/target-kind.js';
export {
  ALL_SERVICES,
  type AwsService,
  type TargetDescription,
  type TargetName,
} from './targets/test-target.js';
export {
  type TestTarget,
  targetSettings,
  targetsOffering,
  testTargets,
  toTestTarget,
} from './targets/test-targets.js';
// The handover model checker: owners' storage steps interleaved in every order up to a bound.
export {
  type HandoverScenarioName,
  type HandoverStore,
  runHandoverScenario,
} from './handover/handover-scenario.js';
export { runCarriedFileScenario } from './handover/carried-file-scenario.js';
export {
  exploreRandomInterleavings,
  HANDOVER_RUNS_ENV,
  HANDOVER_SEED_ENV,
  handoverRuns,
  type RandomExplorationReport,
} from './handover/random-interleavings.js';
export {
  type ChoicePolicy,
  type ExplorationReport,
  exploreInterleavings,
  nextPrefix,
  type StepChoice,
  type StepDone,
  type StepGate,
  StepScheduler,
} from './handover/step-scheduler.js';
// A checkpoint storage that holds one key group's ranged read, for tests of lazy restore.
export { blockOffset, HoldingCheckpointStorage } from './storage/holding-checkpoint-storage.js';
// A checkpoint storage that records what a checkpoint uploads and what is read, for tests that count.
export {
  type RecordedWrite,
  RecordingCheckpointStorage,
} from './storage/recording-checkpoint-storage.js';
