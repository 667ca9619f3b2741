import { TestTargetError, targetKindFromEnv } from '../../src/index.js';

describe('targetKindFromEnv', () => {
  it('defaults to local when AWS_TEST_TARGET is unset or empty', () => {
    expect(targetKindFromEnv({})).toBe('local');
    expect(targetKindFromEnv({ AWS_TEST_TARGET: ' ' })).toBe('local');
  });

  it('accepts local, localstack and aws in any case', () => {
    expect(targetKindFromEnv({ AWS_TEST_TARGET: 'local' })).toBe('local');
    expect(targetKindFromEnv({ AWS_TEST_TARGET: 'LocalStack' })).toBe('localstack');
    expect(targetKindFromEnv({ AWS_TEST_TARGET: 'AWS' })).toBe('aws');
  });

  it('names the variable, the value and the accepted values for anything else', () => {
    expect(() => targetKindFromEnv({ AWS_TEST_TARGET: 'moto' })).toThrow(TestTargetError);
    expect(() => targetKindFromEnv({ AWS_TEST_TARGET: 'moto' })).toThrow(
      "AWS_TEST_TARGET is 'moto'; expected one of local, localstack, aws (unset means local).",
    );
  });
});
