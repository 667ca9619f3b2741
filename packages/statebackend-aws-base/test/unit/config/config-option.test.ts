import { ConfigOptions, ConfigTypes } from '../../../src/config/config-option.js';
import { Configuration } from '../../../src/config/configuration.js';
import { ConfigurationError } from '../../../src/errors.js';

describe('ConfigOption builder', () => {
  it('builds a string option without default', () => {
    const option = ConfigOptions.key('test.opt.region')
      .stringType()
      .noDefaultValue()
      .withDescription('The region.');
    expect(option.key).toBe('test.opt.region');
    expect(option.type.name).toBe('string');
    expect(option.hasDefault).toBe(false);
    expect(option.defaultValue).toBeUndefined();
    expect(option.description).toBe('The region.');
    expect(option.isSecret).toBe(false);
    expect(option.deprecatedKeys).toEqual([]);
    expect(option.fallbackKeys).toEqual([]);
  });

  it('builds typed options with defaults', () => {
    const attempts = ConfigOptions.key('test.opt.attempts').intType().min(1).defaultValue(3);
    const flag = ConfigOptions.key('test.opt.flag').booleanType().defaultValue(false);
    const mode = ConfigOptions.key('test.opt.mode')
      .enumType(['BASIC', 'ENV'] as const)
      .defaultValue('ENV');
    expect(attempts.defaultValue).toBe(3);
    expect(attempts.accepts).toBe('an integer >= 1');
    expect(flag.defaultValue).toBe(false);
    expect(mode.accepts).toBe('one of BASIC, ENV');
    // The value type follows the builder: `get` of an option with a default is never undefined.
    const typed: 'BASIC' | 'ENV' = new Configuration().get(mode);
    expect(typed).toBe('ENV');
  });

  it('parses strings and typed values, and says what it accepts', () => {
    const int = ConfigOptions.key('test.opt.int').intType().noDefaultValue();
    expect(int.parse('42')).toBe(42);
    expect(int.parse(-7)).toBe(-7);
    expect(int.tryParse('4.2').ok).toBe(false);
    expect(int.tryParse('12abc').ok).toBe(false);
    expect(int.tryParse(1.5).ok).toBe(false);

    const bool = ConfigOptions.key('test.opt.bool').booleanType().noDefaultValue();
    expect(bool.parse('TRUE')).toBe(true);
    expect(bool.parse(false)).toBe(false);
    expect(bool.tryParse('yes').ok).toBe(false);
    expect(bool.accepts).toBe('true or false');

    const num = ConfigOptions.key('test.opt.num').numberType().noDefaultValue();
    expect(num.parse('0.25')).toBe(0.25);
    expect(num.tryParse('').ok).toBe(false);

    const str = ConfigOptions.key('test.opt.str').stringType().noDefaultValue();
    expect(str.parse(123)).toBe('123');
    expect(str.tryParse('').ok).toBe(false);
  });

  it('matches enums case-insensitively, returns the declared spelling, and honours aliases', () => {
    const option = ConfigOptions.key('test.opt.provider')
      .enumType(['DEFAULT', 'ENV'] as const, { AUTO: 'DEFAULT' })
      .defaultValue('DEFAULT');
    expect(option.parse('env')).toBe('ENV');
    expect(option.parse('auto')).toBe('DEFAULT');
    expect(option.tryParse('KERBEROS').ok).toBe(false);
  });

  it('throws a ConfigurationError naming the key when parse fails', () => {
    const option = ConfigOptions.key('test.opt.port').intType().min(1).noDefaultValue();
    expect(() => option.parse('0')).toThrow(ConfigurationError);
    expect(() => option.parse('0')).toThrow(/test\.opt\.port: received '0'; expected an integer >= 1/);
  });

  it('refines a type with check()', () => {
    const even = ConfigOptions.key('test.opt.even')
      .intType()
      .check((v) => v % 2 === 0, 'an even integer')
      .noDefaultValue();
    expect(even.parse('4')).toBe(4);
    expect(even.tryParse('3').ok).toBe(false);
    expect(even.accepts).toBe('an even integer');
  });

  it('is immutable: with... returns new options', () => {
    const base = ConfigOptions.key('test.opt.immutable').stringType().noDefaultValue();
    const secret = base.secret().withDeprecatedKeys('test.opt.old').withFallbackKeys('test.opt.general');
    expect(base.isSecret).toBe(false);
    expect(base.deprecatedKeys).toEqual([]);
    expect(secret.isSecret).toBe(true);
    expect(secret.allKeys).toEqual(['test.opt.immutable', 'test.opt.old', 'test.opt.general']);
    expect(Object.isFrozen(secret)).toBe(true);
  });

  it('rejects a default that its own type does not accept, and blank keys', () => {
    expect(() => ConfigOptions.key('test.opt.baddefault').intType().min(1).defaultValue(0)).toThrow(
      TypeError,
    );
    expect(() => ConfigOptions.key(' ')).toThrow(TypeError);
  });

  it('accepts custom types', () => {
    const csv = ConfigOptions.key('test.opt.csv')
      .ofType({
        name: 'list',
        accepts: 'a comma-separated list',
        parse: (value) => (typeof value === 'string' ? { ok: true, value: value.split(',') } : { ok: false }),
        format: (value: string[]) => value.join(','),
      })
      .noDefaultValue();
    expect(Configuration.fromObject({ 'test.opt.csv': 'a,b' }).get(csv)).toEqual(['a', 'b']);
    expect(ConfigTypes.refined(ConfigTypes.int(), (v) => v > 0, 'a positive integer').parse('5')).toEqual({
      ok: true,
      value: 5,
    });
  });
});
