import { ConfigurationError, StateBackendError } from '../../src/index.js';

describe('ConfigurationError', () => {
  it('lists every issue with key, received value and what is accepted', () => {
    const error = new ConfigurationError([
      { key: 'aws.region', received: '(missing)', expected: 'an AWS region such as eu-west-1' },
      { key: 'aws.endpint', received: "'http://x'", expected: 'a known key', suggestion: 'aws.endpoint' },
    ]);
    expect(error).toBeInstanceOf(StateBackendError);
    expect(error.name).toBe('ConfigurationError');
    expect(error.keys).toEqual(['aws.region', 'aws.endpint']);
    expect(error.message).toContain("Did you mean 'aws.endpoint'?");
    expect(error.isRetryable).toBe(false);
  });
});
