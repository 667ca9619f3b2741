import { HeapKeyedStateBackend } from '../../../src/heap/heap-keyed-state-backend.js';
import {
  InvalidBackendParameterError,
  type KeyedStateBackendParameters,
  KeyGroupArgumentError,
  KeyGroupRange,
  Serializers,
} from '../../../src/index.js';

const valid: KeyedStateBackendParameters<string> = {
  jobId: 'job',
  operatorId: 'op',
  keyGroupRange: KeyGroupRange.of(0, 127),
  maxParallelism: 128,
  keySerializer: Serializers.string,
};

describe('keyed backend parameters', () => {
  it.each([
    [
      'an empty job id',
      { jobId: '' },
      InvalidBackendParameterError,
      /jobId: received ''; expected a non-empty string/,
    ],
    [
      'a missing operator id',
      { operatorId: undefined },
      InvalidBackendParameterError,
      /operatorId: received undefined/,
    ],
    ['a max parallelism of 0', { maxParallelism: 0 }, KeyGroupArgumentError, /maxParallelism/],
    [
      'a range beyond the max parallelism',
      { keyGroupRange: KeyGroupRange.of(0, 128) },
      InvalidBackendParameterError,
      /keyGroupRange: received KeyGroupRange \[0, 128\]; expected a non-empty KeyGroupRange within \[0, 127\]/,
    ],
    ['an empty range', { keyGroupRange: KeyGroupRange.EMPTY }, InvalidBackendParameterError, /keyGroupRange/],
    [
      'a key serializer that is not deterministic',
      { keySerializer: Serializers.json<string>() },
      InvalidBackendParameterError,
      /'json' \(not deterministic\); expected a deterministic serializer/,
    ],
  ])('rejects %s', (_, change, type, message) => {
    const create = () =>
      new HeapKeyedStateBackend({ ...valid, ...change } as KeyedStateBackendParameters<string>);
    expect(create).toThrow(type);
    expect(create).toThrow(message);
  });

  it('accepts a sub-range of the key groups', () => {
    const backend = new HeapKeyedStateBackend({ ...valid, keyGroupRange: KeyGroupRange.of(64, 127) });
    expect(backend.keyGroupRange.toString()).toBe('KeyGroupRange [64, 127]');
  });
});
