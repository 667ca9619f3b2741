import { ConfigOptions } from '../../../src/config/config-option.js';
import { Configuration } from '../../../src/config/configuration.js';
import { editDistance, suggestKey } from '../../../src/config/edit-distance.js';
import { findConfigurationIssues, validateConfiguration } from '../../../src/config/validation.js';
import { ConfigurationError } from '../../../src/errors.js';
import type { Logger } from '../../../src/logging/logger.js';

// A component other than AWS (say, a metrics reporter) defining its own options.
const INTERVAL = ConfigOptions.key('metrics.reporter.interval').durationType().min(1).defaultValue(60_000);
const NAMESPACE = ConfigOptions.key('metrics.reporter.namespace').stringType().noDefaultValue();
const BATCH = ConfigOptions.key('metrics.reporter.batch-size')
  .intType()
  .min(1)
  .defaultValue(20)
  .withDeprecatedKeys('metrics.reporter.batchSize');
const API_KEY = ConfigOptions.key('metrics.reporter.api-key').stringType().noDefaultValue().secret();
const OPTIONS = [INTERVAL, NAMESPACE, BATCH, API_KEY];

const SECRET_VALUE = 'Xk7-validation-distinctive-secret-0042';

function validationError(fn: () => void): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('edit distance and suggestions', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('aws.regoin', 'aws.region')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests near misses only', () => {
    const keys = ['aws.region', 'aws.endpoint', 'aws.client.max-attempts'];
    expect(suggestKey('aws.regoin', keys)).toBe('aws.region');
    expect(suggestKey('aws.endpiont', keys)).toBe('aws.endpoint');
    expect(suggestKey('AWS.REGION', keys)).toBe('aws.region');
    expect(suggestKey('aws.client.max-atempts', keys)).toBe('aws.client.max-attempts');
    expect(suggestKey('max-attempts', keys)).toBe('aws.client.max-attempts');
    expect(suggestKey('completely.different', keys)).toBeUndefined();
  });
});

describe('validateConfiguration', () => {
  it('passes a valid configuration', () => {
    const configuration = Configuration.fromObject({
      metrics: { reporter: { interval: '10 s', namespace: 'app' } },
    });
    expect(() => validateConfiguration(configuration, OPTIONS)).not.toThrow();
  });

  it('reports every problem at once: values, required options, rules and unknown keys', () => {
    const configuration = Configuration.fromObject({
      'metrics.reporter.interval': 'often',
      'metrics.reporter.batch-size': -1,
      'metrics.reporter.namespaec': 'typo',
    });
    const error = validationError(() =>
      validateConfiguration(configuration, OPTIONS, {
        required: [NAMESPACE],
        rules: [
          (context) => {
            if ((context.value(BATCH) ?? 0) > 10) context.report({ key: BATCH.key, expected: 'at most 10' });
            if (context.value(INTERVAL) === undefined) {
              context.report({ key: 'metrics.reporter.interval', expected: 'a readable interval' });
            }
          },
        ],
      }),
    );
    expect(error.keys).toEqual([
      'metrics.reporter.interval',
      'metrics.reporter.batch-size',
      'metrics.reporter.namespace',
      'metrics.reporter.interval',
      'metrics.reporter.namespaec',
    ]);
    expect(error.issues[0]).toMatchObject({ received: "'often'" });
    expect(error.issues[1]).toEqual({
      key: 'metrics.reporter.batch-size',
      received: "'-1'",
      expected: 'an integer >= 1',
    });
    expect(error.issues[2]).toMatchObject({ received: '(missing)' });
    expect(error.issues[4]).toMatchObject({
      suggestion: 'metrics.reporter.namespace',
      expected: 'a known key',
    });
    expect(error.message).toContain('Invalid configuration (5 problems)');
    expect(error.message).toContain("Did you mean 'metrics.reporter.namespace'?");
  });

  it('returns the issues without throwing through findConfigurationIssues', () => {
    const issues = findConfigurationIssues(
      Configuration.fromObject({ 'metrics.reporter.batch-size': 0 }),
      OPTIONS,
    );
    expect(issues.map((i) => i.key)).toEqual(['metrics.reporter.batch-size']);
  });

  it('allows unknown keys when asked, or under known prefixes, or outside its scope', () => {
    const configuration = Configuration.fromObject({
      'metrics.reporter.namespace': 'app',
      'state.backend.table': 't',
      'aws.region': 'eu-west-1',
    });
    expect(() => validateConfiguration(configuration, OPTIONS)).toThrow(ConfigurationError);
    expect(() => validateConfiguration(configuration, OPTIONS, { allowUnknownKeys: true })).not.toThrow();
    expect(() =>
      validateConfiguration(configuration, OPTIONS, { knownPrefixes: ['state.backend.', 'aws'] }),
    ).not.toThrow();
    expect(() =>
      validateConfiguration(configuration, OPTIONS, { scopePrefixes: ['metrics.'] }),
    ).not.toThrow();
    const error = validationError(() =>
      validateConfiguration(configuration, OPTIONS, { knownPrefixes: ['aws.'] }),
    );
    expect(error.keys).toEqual(['state.backend.table']);
  });

  it('accepts deprecated keys and warns about them', () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (message) => warnings.push(message),
      error: () => {},
    };
    validateConfiguration(Configuration.fromObject({ 'metrics.reporter.batchSize': 5 }), OPTIONS, { logger });
    expect(warnings).toEqual([
      "Configuration key 'metrics.reporter.batchSize' is deprecated; use 'metrics.reporter.batch-size'",
    ]);
  });

  it('never shows a secret: declared, unknown by name, or a typo of a secret key', () => {
    const configuration = Configuration.fromObject({
      'metrics.reporter.api-key': SECRET_VALUE,
      'metrics.reporter.api-kye': SECRET_VALUE, // typo of a secret key
      'metrics.reporter.password': SECRET_VALUE, // unknown, looks secret
      'metrics.reporter.batch-size': 'x',
    });
    const strictApiKey = ConfigOptions.key('metrics.reporter.api-key')
      .stringType()
      .check((v) => v.startsWith('key-'), "a key starting with 'key-'")
      .noDefaultValue()
      .secret();
    const error = validationError(() =>
      validateConfiguration(configuration, [INTERVAL, NAMESPACE, BATCH, strictApiKey], {
        required: [NAMESPACE],
      }),
    );
    expect(error.message).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET_VALUE);
    expect(error.issues.find((i) => i.key === 'metrics.reporter.api-key')?.received).toBe('******');
    expect(error.issues.find((i) => i.key === 'metrics.reporter.api-kye')).toMatchObject({
      received: '******',
      suggestion: 'metrics.reporter.api-key',
    });
    expect(error.issues.find((i) => i.key === 'metrics.reporter.password')?.received).toBe('******');
  });
});
