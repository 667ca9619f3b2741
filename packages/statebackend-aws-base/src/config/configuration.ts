import { readFileSync } from 'node:fs';
import { type InspectOptions, inspect } from 'node:util';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigurationError, type ConfigurationIssue } from '../errors.js';
import type { ConfigOption } from './config-option.js';
import { declaredOptionKeys, describeReceived, maskedValue } from './secrets.js';

/** The environment-variable prefix {@link Configuration.fromEnv} reads by default. */
export const DEFAULT_ENV_PREFIX = 'STATEBACKEND_';

/**
 * The environment variable {@link Configuration.fromEnv} maps to `key`: the prefix, then the key
 * upper-cased with every character other than a letter or digit replaced by `_`.
 * `aws.region` → `STATEBACKEND_AWS_REGION`, `aws.client.max-attempts` →
 * `STATEBACKEND_AWS_CLIENT_MAX_ATTEMPTS`, `aws.credentials.provider.role.sessionName` →
 * `STATEBACKEND_AWS_CREDENTIALS_PROVIDER_ROLE_SESSIONNAME`.
 */
export function envVarName(key: string, prefix: string = DEFAULT_ENV_PREFIX): string {
  return `${prefix}${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A key for a variable that matches no declared option: lower case, `__` → `-`, `_` → `.`. */
function keyFromEnvName(rest: string): string {
  return rest.toLowerCase().replace(/__/g, '-').replace(/_/g, '.');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

const OBJECT_VALUE_ACCEPTS = 'a string, number, boolean, a list of those, or a nested object';

function flatten(
  source: Readonly<Record<string, unknown>> | ReadonlyMap<unknown, unknown>,
  prefix: string,
  into: Map<string, string>,
  issues: ConfigurationIssue[],
): void {
  const entries = source instanceof Map ? [...source.entries()] : Object.entries(source);
  for (const [rawKey, value] of entries) {
    const part = String(rawKey);
    const key = prefix === '' ? part : `${prefix}.${part}`;
    if (part.trim() === '' || part !== part.trim() || part.startsWith('.') || part.endsWith('.')) {
      issues.push({
        key: key === '' ? "''" : key,
        received: 'a malformed key',
        expected: 'dot-separated names',
      });
      continue;
    }
    if (value === undefined || value === null) continue;
    if (isPlainObject(value) || value instanceof Map) {
      flatten(value, key, into, issues);
      continue;
    }
    let text = scalarText(value);
    if (text === undefined && Array.isArray(value)) {
      const items = value.map(scalarText);
      if (items.every((item) => item !== undefined)) text = items.join(';');
    }
    if (text === undefined) {
      issues.push({
        key,
        received: `a ${Array.isArray(value) ? 'list of objects' : typeof value}`,
        expected: OBJECT_VALUE_ACCEPTS,
      });
      continue;
    }
    if (into.has(key)) {
      issues.push({
        key,
        received: `${describeReceived(key, text)} set twice`,
        expected: 'each key set once (flat or nested, not both)',
      });
      continue;
    }
    into.set(key, text);
  }
}

/**
 * Configuration as Flink has it: a map of string keys (`aws.region`) to raw string values, read
 * through typed {@link ConfigOption}s.
 *
 * - `get(option)` parses the value (from the key, a deprecated key or a fallback key, in that
 *   order) or returns the option's default; a malformed value throws a {@link ConfigurationError}.
 * - Secret values (options marked `.secret()`, and unknown keys whose name says secret, password
 *   or token) are shown as `******` by `toString()`, `toJSON()` (and so `JSON.stringify`),
 *   `util.inspect` and in every error. `toMap()` alone returns the raw values.
 *
 * Instances are mutable through `set`, `setString` and `remove`; `merge` returns a new one.
 */
export class Configuration {
  readonly #values: Map<string, string>;

  constructor(entries?: Iterable<readonly [string, string]>) {
    this.#values = new Map(entries);
  }

  /**
   * From a plain object with flat keys (`{ 'aws.region': 'eu-west-1' }`), nested objects
   * (`{ aws: { region: 'eu-west-1' } }`) or both. Nested objects are flattened with `.`;
   * numbers and booleans become their text, lists of scalars are joined with `;`, `null` and
   * `undefined` mean unset.
   */
  static fromObject(source: Readonly<Record<string, unknown>>): Configuration {
    const values = new Map<string, string>();
    const issues: ConfigurationIssue[] = [];
    flatten(source, '', values, issues);
    if (issues.length > 0) throw new ConfigurationError(issues);
    return new Configuration(values);
  }

  /**
   * From Flink-style YAML: a mapping whose keys are flat (`aws.region: eu-west-1`), nested
   * (`aws: { region: eu-west-1 }`) or both. Malformed YAML throws a {@link ConfigurationError}
   * giving the line and column, never the text (it may hold a secret).
   */
  static fromYaml(text: string, sourceName = 'YAML'): Configuration {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { prettyErrors: false, lineCounter });
    const syntaxIssues = document.errors.map((error): ConfigurationIssue => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return {
        key: `<${sourceName}>`,
        received: `line ${line}, column ${col}`,
        expected: `valid YAML (${error.code})`,
      };
    });
    if (syntaxIssues.length > 0) throw new ConfigurationError(syntaxIssues);
    let content: unknown;
    try {
      content = document.toJS();
    } catch (cause) {
      throw new ConfigurationError(
        [{ key: `<${sourceName}>`, received: 'unreadable YAML', expected: 'valid YAML' }],
        {
          cause,
        },
      );
    }
    if (content === null || content === undefined) return new Configuration();
    if (!isPlainObject(content)) {
      throw new ConfigurationError([
        {
          key: `<${sourceName}>`,
          received: `a YAML ${Array.isArray(content) ? 'sequence' : 'scalar'}`,
          expected: 'a YAML mapping of keys to values',
        },
      ]);
    }
    return Configuration.fromObject(content);
  }

  /** {@link Configuration.fromYaml} of a file, read synchronously as UTF-8. */
  static fromYamlFile(path: string): Configuration {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigurationError([{ key: `<${path}>`, received: code, expected: 'a readable YAML file' }], {
        cause,
      });
    }
    return Configuration.fromYaml(text, path);
  }

  /**
   * From environment variables that start with `prefix` (default `STATEBACKEND_`). A variable
   * named {@link envVarName}(key) of a declared option maps to that key, so
   * `STATEBACKEND_AWS_REGION` → `aws.region` and `STATEBACKEND_AWS_CLIENT_MAX_ATTEMPTS` →
   * `aws.client.max-attempts`. Any other variable maps to its name after the prefix, lower-cased,
   * with `__` → `-` and `_` → `.`. Empty variables are ignored.
   */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>> = process.env,
    prefix: string = DEFAULT_ENV_PREFIX,
  ): Configuration {
    const upperPrefix = prefix.toUpperCase();
    const declared = new Map<string, string>();
    for (const key of declaredOptionKeys()) {
      const name = envVarName(key, upperPrefix);
      if (!declared.has(name)) declared.set(name, key);
    }
    const values = new Map<string, string>();
    for (const [name, value] of Object.entries(env)) {
      const upper = name.toUpperCase();
      if (value === undefined || value === '' || !upper.startsWith(upperPrefix) || upper === upperPrefix)
        continue;
      values.set(declared.get(upper) ?? keyFromEnvName(name.slice(prefix.length)), value);
    }
    return new Configuration(values);
  }

  /** Number of keys set. */
  get size(): number {
    return this.#values.size;
  }

  /** The typed value: from the key, a deprecated key or a fallback key; else the default. */
  get<T>(option: ConfigOption<T, true>): T;
  get<T>(option: ConfigOption<T>): T | undefined;
  get<T>(option: ConfigOption<T>): T | undefined {
    const found = this.findValue(option);
    return found === undefined ? option.defaultValue : option.parse(found.raw, found.key);
  }

  /** The typed value if set (under any of the option's keys); the default is not used. */
  getOptional<T>(option: ConfigOption<T>): T | undefined {
    const found = this.findValue(option);
    return found === undefined ? undefined : option.parse(found.raw, found.key);
  }

  /** The key and raw value an option is read from, if any of its keys is set. */
  findValue(option: ConfigOption<unknown>): { readonly key: string; readonly raw: string } | undefined {
    for (const key of option.allKeys) {
      const raw = this.#values.get(key);
      if (raw !== undefined) return { key, raw };
    }
    return undefined;
  }

  /** Sets a typed value under the option's key; throws a {@link ConfigurationError} if invalid. */
  set<T>(option: ConfigOption<T>, value: T): this {
    const parsed = option.tryParse(value);
    if (!parsed.ok) {
      throw new ConfigurationError([
        { key: option.key, received: describeReceived(option.key, String(value)), expected: option.accepts },
      ]);
    }
    this.#values.set(option.key, option.format(parsed.value));
    return this;
  }

  /** The raw string under exactly this key. */
  getString(key: string): string | undefined {
    return this.#values.get(key);
  }

  /** Sets a raw string under exactly this key. */
  setString(key: string, value: string): this {
    this.#values.set(key, value);
    return this;
  }

  /** Removes a key, or every key of an option; true when something was removed. */
  remove(keyOrOption: string | ConfigOption<unknown>): boolean {
    const keys = typeof keyOrOption === 'string' ? [keyOrOption] : keyOrOption.allKeys;
    let removed = false;
    for (const key of keys) removed = this.#values.delete(key) || removed;
    return removed;
  }

  /** True when the key, or any key of the option (main, deprecated, fallback), is set. */
  contains(keyOrOption: string | ConfigOption<unknown>): boolean {
    if (typeof keyOrOption === 'string') return this.#values.has(keyOrOption);
    return this.findValue(keyOrOption) !== undefined;
  }

  /** The keys set, in insertion order. */
  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** A copy of the raw values. Unlike every other view, secrets are NOT masked here. */
  toMap(): Map<string, string> {
    return new Map(this.#values);
  }

  /** A new configuration with this one's values, overridden by `other`'s. */
  merge(other: Configuration): Configuration {
    return new Configuration([...this.#values, ...other.#values]);
  }

  /** A copy. */
  clone(): Configuration {
    return new Configuration(this.#values);
  }

  /** The values with secrets masked, as a plain object; used by `JSON.stringify`. */
  toJSON(): Record<string, string> {
    const masked: Record<string, string> = {};
    for (const [key, raw] of this.#values) masked[key] = maskedValue(key, raw);
    return masked;
  }

  toString(): string {
    const body = [...this.#values].map(([key, raw]) => `${key}=${maskedValue(key, raw)}`).join(', ');
    return `Configuration{${body}}`;
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return `Configuration ${inspect(this.toJSON(), { ...options, depth: 1 })}`;
  }
}
