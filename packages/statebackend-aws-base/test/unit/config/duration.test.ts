import { ConfigOptions } from '../../../src/config/config-option.js';
import { Configuration } from '../../../src/config/configuration.js';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';
import { ConfigurationError } from '../../../src/errors.js';

describe('durations', () => {
  it.each([
    [250, 250],
    ['1500', 1500],
    ['500ms', 500],
    ['500 ms', 500],
    ['10 s', 10_000],
    ['10s', 10_000],
    ['1.5 s', 1500],
    ['1.1 s', 1100],
    ['1 min', 60_000],
    ['2 m', 120_000],
    ['3 minutes', 180_000],
    ['2h', 7_200_000],
    ['1 d', 86_400_000],
    ['  7 SECONDS ', 7000],
    ['0', 0],
  ])('parses %p as %p ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([['-1 s'], ['10 parsecs'], ['s'], [''], ['1.5 ms'], ['ten seconds'], [-5], [1.5], [Number.NaN]])(
    'rejects %p',
    (input) => {
      expect(parseDuration(input)).toBeUndefined();
    },
  );

  it('formats with the largest exact unit', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(10_000)).toBe('10 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(90_000)).toBe('90 s');
    expect(formatDuration(7_200_000)).toBe('2 h');
    expect(formatDuration(0)).toBe('0 ms');
  });

  it('is read by durationType options from strings and numbers', () => {
    const timeout = ConfigOptions.key('test.duration.timeout').durationType().defaultValue(1000);
    expect(Configuration.fromObject({ 'test.duration.timeout': '10 s' }).get(timeout)).toBe(10_000);
    expect(Configuration.fromObject({ 'test.duration.timeout': 750 }).get(timeout)).toBe(750);
    expect(Configuration.fromYaml('test.duration.timeout: 1 min').get(timeout)).toBe(60_000);
    expect(new Configuration().get(timeout)).toBe(1000);
    expect(new Configuration().set(timeout, 5000).getString('test.duration.timeout')).toBe('5 s');
  });

  it('throws a ConfigurationError naming the key for a malformed duration', () => {
    const timeout = ConfigOptions.key('test.duration.bad').durationType().noDefaultValue();
    const configuration = Configuration.fromObject({ 'test.duration.bad': 'soon' });
    expect(() => configuration.get(timeout)).toThrow(ConfigurationError);
    try {
      configuration.get(timeout);
    } catch (error) {
      expect((error as ConfigurationError).keys).toEqual(['test.duration.bad']);
      expect((error as ConfigurationError).message).toContain("received 'soon'");
      expect((error as ConfigurationError).message).toContain("'10 s'");
    }
  });
});
