import {
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
  LocalCheckpointStorage,
  Serializers,
} from '@statebackend/aws-base';
import {
  KafkaJobOptionsError,
  KafkaKeyedWorker,
  type KafkaKeyedWorkerOptions,
  keyGroupPartition,
  validateWorkerOptions,
} from '../../src/index.js';

const valid: KafkaKeyedWorkerOptions<string> = {
  bootstrapBrokers: ['127.0.0.1:9092'],
  groupId: 'g',
  inputTopic: 'in',
  outputTopic: 'out',
  maxParallelism: 12,
  jobId: 'job',
  operatorId: 'op',
  keySerializer: Serializers.string,
  keyOf: () => 'k',
  process: () => undefined,
  checkpointStorage: new LocalCheckpointStorage({ directory: '/tmp/unused', jobId: 'job', operatorId: 'op' }),
};

describe('KafkaKeyedWorker options', () => {
  it('accepts valid options', () => {
    expect(validateWorkerOptions(valid as unknown as Record<string, unknown>)).toEqual([]);
    expect(new KafkaKeyedWorker(valid).stats).toEqual({
      records: 0,
      checkpoints: 0,
      rollbacks: 0,
      fenced: 0,
      fencedBy: { store: 0, kafka: 0 },
      ownedKeyGroups: [],
      opened: 0,
      deferred: 0,
    });
  });

  it('names every problem, unknown keys included, in one error', () => {
    const bad = {
      ...valid,
      maxParallelism: 0,
      bootstrapBrokers: [],
      groupId: '',
      checkpointIntervalMs: -1,
      partitons: 3,
    };
    expect(() => new KafkaKeyedWorker(bad as unknown as KafkaKeyedWorkerOptions<string>)).toThrow(
      KafkaJobOptionsError,
    );
    const issues = validateWorkerOptions(bad);
    expect(issues).toEqual([
      "unknown option 'partitons'",
      "bootstrapBrokers must be a non-empty list of 'host:port'; received []",
      'groupId must be a non-empty string',
      'maxParallelism must be an integer in 1..32768; received 0',
      'checkpointIntervalMs must be a positive number of milliseconds; received -1',
    ]);
  });
});

describe('KafkaKeyedWorker rebalancing option', () => {
  it("takes 'cooperative' (the default) or 'eager'", () => {
    for (const rebalancing of ['cooperative', 'eager'] as const)
      expect(validateWorkerOptions({ ...valid, rebalancing } as unknown as Record<string, unknown>)).toEqual(
        [],
      );
    expect(
      validateWorkerOptions({ ...valid, rebalancing: 'sticky' } as unknown as Record<string, unknown>),
    ).toEqual(["rebalancing must be 'cooperative' or 'eager'; received sticky"]);
  });
});

describe('keyGroupPartition', () => {
  it('is the key group of the serialized key, so partition i holds key group i', () => {
    // The formula every backend and savepoint uses, so state written through Kafka stays portable.
    const key = Serializers.string.serialize('user-42');
    expect(keyGroupPartition(key, 128)).toBe(assignToKeyGroup(key, 128));
    expect(computeKeyGroupRangeForOperatorIndex(128, 128, keyGroupPartition(key, 128)).startKeyGroup).toBe(
      keyGroupPartition(key, 128),
    );
    const spread = new Set(
      Array.from({ length: 2000 }, (_, i) => keyGroupPartition(Serializers.string.serialize(`k${i}`), 12)),
    );
    expect(spread.size).toBe(12);
  });
});
