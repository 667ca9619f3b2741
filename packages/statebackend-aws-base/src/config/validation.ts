import { ConfigurationError, type ConfigurationIssue } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { AnyConfigOption, ConfigOption } from './config-option.js';
import type { Configuration } from './configuration.js';
import { suggestKey } from './edit-distance.js';
import { describeReceived, isSecretKey, SECRET_MASK } from './secrets.js';

/**
 * What a cross-key rule sees: typed values that never throw (a malformed value is already
 * reported and reads as `undefined` here) and a way to report problems.
 */
export interface ConfigurationRuleContext {
  readonly configuration: Configuration;
  /** The typed value or default; `undefined` when unset without default, or malformed. */
  value<T>(option: ConfigOption<T>): T | undefined;
  /** True when any key of the option is set. */
  isSet(option: AnyConfigOption): boolean;
  /** Reports the option missing (received `(missing)`) unless it is set. */
  require(option: AnyConfigOption, expected?: string): void;
  /**
   * Reports a problem with a key. `received` defaults to the key's current value, masked when
   * secret, or `(missing)`.
   */
  report(issue: { readonly key: string; readonly expected: string; readonly received?: string }): void;
}

/** A check across keys, e.g. "BASIC credentials need both keys". */
export type ConfigurationRule = (context: ConfigurationRuleContext) => void;

export interface ValidateConfigurationOptions {
  /** Accept keys that no option declares. Default false: they are reported, with a suggestion. */
  readonly allowUnknownKeys?: boolean;
  /**
   * Keys equal to or under these prefixes (e.g. `metrics.reporter.`) belong to another
   * component and are never reported as unknown.
   */
  readonly knownPrefixes?: readonly string[];
  /**
   * When given, only keys equal to or under these prefixes (e.g. `aws.`) are checked for being
   * unknown; the rest of the configuration belongs to others. Default: every key is checked.
   */
  readonly scopePrefixes?: readonly string[];
  /** Options that must have a value (a default counts). */
  readonly required?: readonly AnyConfigOption[];
  /** Checks across keys, run after each option's own check. */
  readonly rules?: readonly ConfigurationRule[];
  /** Told (warn) when a deprecated key is used. */
  readonly logger?: Logger;
}

function underPrefix(key: string, prefix: string): boolean {
  const bare = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  return key === bare || key.startsWith(`${bare}.`);
}

/**
 * Every problem with `configuration` against `options`, in the order found: malformed values,
 * missing required options, failed rules, then unknown keys (each with a near-miss suggestion
 * where one is close enough). Values are masked when secret. Does not throw.
 */
export function findConfigurationIssues(
  configuration: Configuration,
  options: readonly AnyConfigOption[],
  settings: ValidateConfigurationOptions = {},
): ConfigurationIssue[] {
  const issues: ConfigurationIssue[] = [];
  const seen = new Set<string>();
  const push = (issue: ConfigurationIssue): void => {
    const id = `${issue.key}\u0000${issue.expected}`;
    if (seen.has(id)) return;
    seen.add(id);
    issues.push(issue);
  };
  const malformed = new Set<AnyConfigOption>();

  for (const option of options) {
    const found = configuration.findValue(option);
    if (found === undefined) continue;
    if (!option.tryParse(found.raw).ok) {
      malformed.add(option);
      push({ key: found.key, received: describeReceived(found.key, found.raw), expected: option.accepts });
    }
    if (option.deprecatedKeys.includes(found.key)) {
      settings.logger?.warn(`Configuration key '${found.key}' is deprecated; use '${option.key}'`, {
        key: found.key,
        replacement: option.key,
      });
    }
  }

  const context: ConfigurationRuleContext = {
    configuration,
    value<T>(option: ConfigOption<T>): T | undefined {
      if (malformed.has(option as AnyConfigOption)) return undefined;
      const found = configuration.findValue(option);
      if (found === undefined) return option.defaultValue;
      const parsed = option.tryParse(found.raw);
      return parsed.ok ? parsed.value : undefined;
    },
    isSet: (option) => configuration.findValue(option) !== undefined,
    require(option, expected) {
      if (malformed.has(option) || configuration.findValue(option) !== undefined || option.hasDefault) return;
      push({ key: option.key, received: '(missing)', expected: expected ?? option.accepts });
    },
    report({ key, expected, received }) {
      push({ key, expected, received: received ?? describeReceived(key, configuration.getString(key)) });
    },
  };

  for (const option of settings.required ?? []) context.require(option);
  for (const rule of settings.rules ?? []) rule(context);

  if (settings.allowUnknownKeys !== true) {
    const known = new Set(options.flatMap((option) => option.allKeys));
    const suggestions = options.map((option) => option.key);
    const knownPrefixes = settings.knownPrefixes ?? [];
    const scope = settings.scopePrefixes;
    for (const key of configuration.keys()) {
      if (known.has(key)) continue;
      if (knownPrefixes.some((prefix) => underPrefix(key, prefix))) continue;
      if (scope !== undefined && !scope.some((prefix) => underPrefix(key, prefix))) continue;
      const suggestion = suggestKey(key, suggestions);
      const secret = isSecretKey(key) || (suggestion !== undefined && isSecretKey(suggestion));
      const raw = configuration.getString(key);
      push({
        key,
        received: secret ? SECRET_MASK : describeReceived(key, raw),
        expected: 'a known key',
        ...(suggestion === undefined ? {} : { suggestion }),
      });
    }
  }
  return issues;
}

/**
 * Validates `configuration` against `options` and throws ONE {@link ConfigurationError} listing
 * every problem: each issue names the key, the value received (masked when secret) and what the
 * key accepts; unknown keys come with a near-miss suggestion. Generic: each component passes its
 * own options, required options and rules.
 */
export function validateConfiguration(
  configuration: Configuration,
  options: readonly AnyConfigOption[],
  settings: ValidateConfigurationOptions = {},
): void {
  const issues = findConfigurationIssues(configuration, options, settings);
  if (issues.length > 0) throw new ConfigurationError(issues);
}
