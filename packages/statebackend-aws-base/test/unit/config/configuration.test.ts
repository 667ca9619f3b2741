import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigOptions } from '../../../src/config/config-option.js';
import { Configuration, envVarName } from '../../../src/config/configuration.js';
import { ConfigurationError } from '../../../src/errors.js';

const REGION = ConfigOptions.key('test.cfg.region').stringType().noDefaultValue();
const ATTEMPTS = ConfigOptions.key('test.cfg.client.max-attempts').intType().min(1).defaultValue(3);
const TIMEOUT = ConfigOptions.key('test.cfg.client.timeout').durationType().defaultValue(5000);
const FLAG = ConfigOptions.key('test.cfg.flag').booleanType().defaultValue(false);
const SESSION = ConfigOptions.key('test.cfg.role.sessionName').stringType().noDefaultValue();

function thrown(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('Configuration', () => {
  describe('get / set / getOptional / contains', () => {
    it('returns defaults when unset and parsed values when set', () => {
      const configuration = new Configuration();
      expect(configuration.get(ATTEMPTS)).toBe(3);
      expect(configuration.get(REGION)).toBeUndefined();
      expect(configuration.getOptional(ATTEMPTS)).toBeUndefined();
      configuration.set(ATTEMPTS, 7).set(REGION, 'eu-west-1');
      expect(configuration.get(ATTEMPTS)).toBe(7);
      expect(configuration.getOptional(ATTEMPTS)).toBe(7);
      expect(configuration.get(REGION)).toBe('eu-west-1');
      expect(configuration.contains(REGION)).toBe(true);
      expect(configuration.contains(FLAG)).toBe(false);
      expect(configuration.contains('test.cfg.region')).toBe(true);
    });

    it('rejects an invalid typed value in set', () => {
      const error = thrown(() => new Configuration().set(ATTEMPTS, 0));
      expect(error.keys).toEqual(['test.cfg.client.max-attempts']);
    });

    it('throws a ConfigurationError naming the key for a malformed raw value', () => {
      const configuration = Configuration.fromObject({ 'test.cfg.client.max-attempts': 'many' });
      const error = thrown(() => configuration.get(ATTEMPTS));
      expect(error.keys).toEqual(['test.cfg.client.max-attempts']);
      expect(error.issues[0]?.received).toBe("'many'");
      expect(error.issues[0]?.expected).toBe('an integer >= 1');
    });

    it('keeps keys, raw strings, removes keys', () => {
      const configuration = Configuration.fromObject({
        'test.cfg.region': 'eu-west-1',
        'test.cfg.flag': true,
      });
      expect(configuration.keys()).toEqual(['test.cfg.region', 'test.cfg.flag']);
      expect(configuration.toMap()).toEqual(
        new Map([
          ['test.cfg.region', 'eu-west-1'],
          ['test.cfg.flag', 'true'],
        ]),
      );
      expect(configuration.size).toBe(2);
      expect(configuration.remove(FLAG)).toBe(true);
      expect(configuration.remove('test.cfg.flag')).toBe(false);
      expect(configuration.keys()).toEqual(['test.cfg.region']);
    });

    it('merges: the other configuration wins, neither is changed', () => {
      const base = Configuration.fromObject({ 'test.cfg.region': 'eu-west-1', 'test.cfg.flag': 'true' });
      const override = Configuration.fromObject({ 'test.cfg.region': 'us-east-1' });
      const merged = base.merge(override);
      expect(merged.get(REGION)).toBe('us-east-1');
      expect(merged.get(FLAG)).toBe(true);
      expect(base.get(REGION)).toBe('eu-west-1');
      expect(override.contains(FLAG)).toBe(false);
    });
  });

  describe('deprecated and fallback keys', () => {
    const option = ConfigOptions.key('test.cfg.new.timeout')
      .durationType()
      .defaultValue(1000)
      .withDeprecatedKeys('test.cfg.old.timeout-ms')
      .withFallbackKeys('test.cfg.general.timeout');

    it('reads the key first, then the deprecated keys, then the fallback keys', () => {
      expect(Configuration.fromObject({ 'test.cfg.general.timeout': '3 s' }).get(option)).toBe(3000);
      expect(
        Configuration.fromObject({ 'test.cfg.general.timeout': '3 s', 'test.cfg.old.timeout-ms': 2000 }).get(
          option,
        ),
      ).toBe(2000);
      expect(
        Configuration.fromObject({
          'test.cfg.general.timeout': '3 s',
          'test.cfg.old.timeout-ms': 2000,
          'test.cfg.new.timeout': '1 min',
        }).get(option),
      ).toBe(60_000);
      expect(new Configuration().get(option)).toBe(1000);
    });

    it('counts a deprecated or fallback key for contains and getOptional', () => {
      const configuration = Configuration.fromObject({ 'test.cfg.old.timeout-ms': 2000 });
      expect(configuration.contains(option)).toBe(true);
      expect(configuration.getOptional(option)).toBe(2000);
      expect(configuration.findValue(option)).toEqual({ key: 'test.cfg.old.timeout-ms', raw: '2000' });
    });

    it('names the deprecated key that holds a malformed value', () => {
      const error = thrown(() =>
        Configuration.fromObject({ 'test.cfg.old.timeout-ms': 'later' }).get(option),
      );
      expect(error.keys).toEqual(['test.cfg.old.timeout-ms']);
    });
  });

  describe('fromObject', () => {
    it('flattens nested objects and accepts flat keys, mixed', () => {
      const configuration = Configuration.fromObject({
        test: { cfg: { region: 'eu-west-1', client: { 'max-attempts': 5 } } },
        'test.cfg.flag': true,
        'test.cfg.client': { timeout: '2 s' },
        'test.cfg.unset': null,
      });
      expect(configuration.get(REGION)).toBe('eu-west-1');
      expect(configuration.get(ATTEMPTS)).toBe(5);
      expect(configuration.get(FLAG)).toBe(true);
      expect(configuration.get(TIMEOUT)).toBe(2000);
      expect(configuration.contains('test.cfg.unset')).toBe(false);
      expect(configuration.getString('test.cfg.client.max-attempts')).toBe('5');
    });

    it('joins lists of scalars with ;', () => {
      expect(Configuration.fromObject({ 'test.cfg.list': ['a', 1, true] }).getString('test.cfg.list')).toBe(
        'a;1;true',
      );
    });

    it('reports every unusable entry at once', () => {
      const error = thrown(() =>
        Configuration.fromObject({
          'test.cfg.fn': () => 1,
          'test.cfg.dup': 'a',
          test: { cfg: { dup: 'b' } },
          'test.cfg.objects': [{ a: 1 }],
        }),
      );
      expect(error.keys).toEqual(['test.cfg.fn', 'test.cfg.dup', 'test.cfg.objects']);
    });
  });

  describe('fromYaml', () => {
    it('reads flat keys', () => {
      const configuration = Configuration.fromYaml(
        [
          'test.cfg.region: eu-west-1',
          'test.cfg.client.max-attempts: 4',
          'test.cfg.client.timeout: 10 s',
        ].join('\n'),
      );
      expect(configuration.get(REGION)).toBe('eu-west-1');
      expect(configuration.get(ATTEMPTS)).toBe(4);
      expect(configuration.get(TIMEOUT)).toBe(10_000);
    });

    it('reads nested keys, and flat keys inside nested ones', () => {
      const configuration = Configuration.fromYaml(
        [
          'test:',
          '  cfg:',
          '    region: eu-west-1',
          '    flag: true',
          '    client:',
          '      max-attempts: 6',
          '    role.sessionName: my-session',
        ].join('\n'),
      );
      expect(configuration.get(REGION)).toBe('eu-west-1');
      expect(configuration.get(FLAG)).toBe(true);
      expect(configuration.get(ATTEMPTS)).toBe(6);
      expect(configuration.get(SESSION)).toBe('my-session');
    });

    it('reads an empty document as an empty configuration', () => {
      expect(Configuration.fromYaml('').size).toBe(0);
      expect(Configuration.fromYaml('# nothing\n').size).toBe(0);
    });

    it('reports malformed YAML by position, never by content', () => {
      const error = thrown(() => Configuration.fromYaml('test.cfg.password: [unclosed-SECRET-9876\n'));
      expect(error.message).toMatch(/line \d+, column \d+/);
      expect(error.message).not.toContain('SECRET-9876');
    });

    it('reports duplicate keys and a top level that is not a mapping', () => {
      expect(() => Configuration.fromYaml('a.b: 1\na.b: 2\n')).toThrow(ConfigurationError);
      expect(() => Configuration.fromYaml('- a\n- b\n')).toThrow(/YAML mapping/);
    });

    it('reads a file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'statebackend-config-'));
      try {
        const path = join(dir, 'config.yaml');
        writeFileSync(path, 'test:\n  cfg:\n    region: ap-southeast-2\n');
        expect(Configuration.fromYamlFile(path).get(REGION)).toBe('ap-southeast-2');
        const error = thrown(() => Configuration.fromYamlFile(join(dir, 'missing.yaml')));
        expect(error.issues[0]?.received).toBe('ENOENT');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('fromEnv', () => {
    it('maps prefixed variables of declared options to their keys', () => {
      const configuration = Configuration.fromEnv({
        STATEBACKEND_TEST_CFG_REGION: 'eu-west-1',
        STATEBACKEND_TEST_CFG_CLIENT_MAX_ATTEMPTS: '9',
        STATEBACKEND_TEST_CFG_ROLE_SESSIONNAME: 'from-env',
        STATEBACKEND_TEST_CFG_FLAG: '',
        AWS_REGION: 'us-east-1',
        PATH: '/usr/bin',
      });
      expect(configuration.get(REGION)).toBe('eu-west-1');
      expect(configuration.get(ATTEMPTS)).toBe(9);
      expect(configuration.get(SESSION)).toBe('from-env');
      expect(configuration.keys().sort()).toEqual([
        'test.cfg.client.max-attempts',
        'test.cfg.region',
        'test.cfg.role.sessionName',
      ]);
    });

    it('maps undeclared variables by rule: lower case, __ to -, _ to .', () => {
      const configuration = Configuration.fromEnv({ STATEBACKEND_OTHER_THING__NAME_X: 'v' });
      expect(configuration.keys()).toEqual(['other.thing-name.x']);
    });

    it('takes another prefix', () => {
      const configuration = Configuration.fromEnv({ MYAPP_TEST_CFG_REGION: 'eu-north-1' }, 'MYAPP_');
      expect(configuration.get(REGION)).toBe('eu-north-1');
    });

    it('names the variable of a key', () => {
      expect(envVarName('aws.region')).toBe('STATEBACKEND_AWS_REGION');
      expect(envVarName('aws.client.max-attempts')).toBe('STATEBACKEND_AWS_CLIENT_MAX_ATTEMPTS');
    });
  });

  describe('secrets', () => {
    const SECRET_VALUE = 'zQ9-ultra-distinctive-secret-VALUE-1234';
    const PASSWORD = ConfigOptions.key('test.cfg.db.credential').stringType().noDefaultValue().secret();

    const configuration = Configuration.fromObject({
      'test.cfg.region': 'eu-west-1',
      'test.cfg.db.credential': SECRET_VALUE, // declared secret
      'test.cfg.unknown.password': SECRET_VALUE, // unknown, name says password
      'test.cfg.unknown.apiToken': SECRET_VALUE, // unknown, name says token
      'test.cfg.unknown.client-secret': SECRET_VALUE, // unknown, name says secret
      'test.cfg.unknown.sessiontoken': SECRET_VALUE,
    });

    it('masks them in String(), JSON.stringify and util.inspect', () => {
      for (const shown of [
        String(configuration),
        `${configuration}`,
        JSON.stringify(configuration),
        inspect(configuration),
        inspect({ nested: { configuration } }, { depth: 10 }),
      ]) {
        expect(shown).not.toContain(SECRET_VALUE);
        expect(shown).toContain('******');
        expect(shown).toContain('eu-west-1');
      }
      expect(JSON.parse(JSON.stringify(configuration))).toEqual({
        'test.cfg.region': 'eu-west-1',
        'test.cfg.db.credential': '******',
        'test.cfg.unknown.password': '******',
        'test.cfg.unknown.apiToken': '******',
        'test.cfg.unknown.client-secret': '******',
        'test.cfg.unknown.sessiontoken': '******',
      });
    });

    it('is not exposed through object spread or Object.keys', () => {
      expect(JSON.stringify({ ...configuration })).not.toContain(SECRET_VALUE);
      expect(Object.keys(configuration)).toEqual([]);
    });

    it('masks them in errors', () => {
      const strict = ConfigOptions.key('test.cfg.db.credential')
        .stringType()
        .check((v) => v.length > 100, 'a long credential')
        .noDefaultValue()
        .secret();
      const error = thrown(() =>
        Configuration.fromObject({ 'test.cfg.db.credential': SECRET_VALUE }).get(strict),
      );
      expect(error.message).not.toContain(SECRET_VALUE);
      expect(error.issues[0]?.received).toBe('******');
      expect(() => new Configuration().set(strict, SECRET_VALUE)).toThrow(/\*\*\*\*\*\*/);
    });

    it('is returned raw by toMap() and get()', () => {
      expect(configuration.get(PASSWORD)).toBe(SECRET_VALUE);
      expect(configuration.toMap().get('test.cfg.db.credential')).toBe(SECRET_VALUE);
    });
  });
});
