import { ConfigurationError } from '../errors.js';
import { DURATION_ACCEPTS, formatDuration, parseDuration } from './duration.js';
import { declareKeys, describeReceived } from './secrets.js';

/** The outcome of parsing one value. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/**
 * A value type of a configuration option: how to read it from a string (or an already typed
 * value, e.g. a YAML number) and what it accepts, for error messages.
 */
export interface ConfigType<T> {
  /** `string`, `int`, `boolean`, `duration`, `enum`, ... */
  readonly name: string;
  /** What is accepted, e.g. `an integer >= 1`; completes "expected ...". */
  readonly accepts: string;
  /** Reads a raw string or a typed value. */
  parse(value: unknown): ParseResult<T>;
  /** Writes a value as the raw string a {@link Configuration} stores. */
  format(value: T): string;
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail: ParseResult<never> = { ok: false };

/** Built-in value types. Exported so other areas can compose their own. */
export const ConfigTypes = {
  /** Any non-empty string; numbers and booleans (e.g. from YAML) are taken as their text. */
  string(): ConfigType<string> {
    return {
      name: 'string',
      accepts: 'a non-empty string',
      parse(value) {
        if (typeof value === 'string') return value.length > 0 ? ok(value) : fail;
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
          return ok(String(value));
        }
        return fail;
      },
      format: (value) => value,
    };
  },

  /** A safe integer, written as digits with an optional sign. */
  int(): ConfigType<number> {
    return {
      name: 'int',
      accepts: 'an integer',
      parse(value) {
        if (typeof value === 'number') return Number.isSafeInteger(value) ? ok(value) : fail;
        if (typeof value !== 'string' || !/^\s*[+-]?\d+\s*$/.test(value)) return fail;
        const parsed = Number(value);
        return Number.isSafeInteger(parsed) ? ok(parsed) : fail;
      },
      format: (value) => String(value),
    };
  },

  /** A finite number. */
  number(): ConfigType<number> {
    return {
      name: 'number',
      accepts: 'a number',
      parse(value) {
        const parsed =
          typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
        const blank = typeof value === 'string' && value.trim() === '';
        return !blank && Number.isFinite(parsed) ? ok(parsed) : fail;
      },
      format: (value) => String(value),
    };
  },

  /** `true` or `false`, case-insensitive. */
  boolean(): ConfigType<boolean> {
    return {
      name: 'boolean',
      accepts: 'true or false',
      parse(value) {
        if (typeof value === 'boolean') return ok(value);
        if (typeof value !== 'string') return fail;
        const lower = value.trim().toLowerCase();
        return lower === 'true' ? ok(true) : lower === 'false' ? ok(false) : fail;
      },
      format: (value) => String(value),
    };
  },

  /** Whole milliseconds: a number of milliseconds, or `500ms`, `10 s`, `1 min`, `2 h`, `1 d`. */
  duration(): ConfigType<number> {
    return {
      name: 'duration',
      accepts: DURATION_ACCEPTS,
      parse(value) {
        if (typeof value !== 'number' && typeof value !== 'string') return fail;
        const ms = parseDuration(value);
        return ms === undefined ? fail : ok(ms);
      },
      format: formatDuration,
    };
  },

  /**
   * One of the given values, matched case-insensitively and returned in its declared spelling.
   * `aliases` maps other accepted names (e.g. legacy ones) to a value.
   */
  enumeration<const V extends string>(
    values: readonly V[],
    aliases: Readonly<Record<string, V>> = {},
  ): ConfigType<V> {
    const lookup = new Map<string, V>();
    for (const v of values) lookup.set(v.toLowerCase(), v);
    for (const [alias, v] of Object.entries(aliases)) lookup.set(alias.toLowerCase(), v);
    return {
      name: 'enum',
      accepts: `one of ${values.join(', ')}`,
      parse(value) {
        if (typeof value !== 'string') return fail;
        const found = lookup.get(value.trim().toLowerCase());
        return found === undefined ? fail : ok(found);
      },
      format: (value) => value,
    };
  },

  /** `type` narrowed by a check; `accepts` replaces the type's description in messages. */
  refined<T>(type: ConfigType<T>, test: (value: T) => boolean, accepts: string): ConfigType<T> {
    return {
      name: type.name,
      accepts,
      parse(value) {
        const parsed = type.parse(value);
        return parsed.ok && test(parsed.value) ? parsed : fail;
      },
      format: (value) => type.format(value),
    };
  },
} as const;

interface OptionSpec<T> {
  readonly key: string;
  readonly type: ConfigType<T>;
  readonly hasDefault: boolean;
  readonly defaultValue: T | undefined;
  readonly description: string;
  readonly deprecatedKeys: readonly string[];
  readonly fallbackKeys: readonly string[];
  readonly isSecret: boolean;
}

/**
 * One configuration option: its key, value type, default (or none), description, deprecated and
 * fallback keys, and whether it is secret. Immutable: every `with...` returns a new option.
 *
 * `D` is `true` for an option with a default, so that `configuration.get(option)` is typed `T`
 * rather than `T | undefined`.
 *
 * Build one with {@link ConfigOptions.key}.
 */
export class ConfigOption<T, D extends boolean = boolean> {
  readonly key: string;
  readonly type: ConfigType<T>;
  readonly hasDefault: D;
  readonly defaultValue: T | undefined;
  readonly description: string;
  /** Older names of this option, looked up after the key; using one is reported as deprecated. */
  readonly deprecatedKeys: readonly string[];
  /** Other keys whose value is used when neither the key nor a deprecated key is set. */
  readonly fallbackKeys: readonly string[];
  /** Secret values are masked as `******` wherever a configuration or an error shows them. */
  readonly isSecret: boolean;

  /** @internal Use {@link ConfigOptions.key}. */
  constructor(spec: OptionSpec<T>) {
    this.key = spec.key;
    this.type = spec.type;
    this.hasDefault = spec.hasDefault as D;
    this.defaultValue = spec.defaultValue;
    this.description = spec.description;
    this.deprecatedKeys = Object.freeze([...spec.deprecatedKeys]);
    this.fallbackKeys = Object.freeze([...spec.fallbackKeys]);
    this.isSecret = spec.isSecret;
    declareKeys(this.allKeys, this.isSecret);
    Object.freeze(this);
  }

  /** The key, then the deprecated keys, then the fallback keys: the order values are looked up in. */
  get allKeys(): readonly string[] {
    return [this.key, ...this.deprecatedKeys, ...this.fallbackKeys];
  }

  /** What the option accepts, e.g. `one of standard, adaptive`. */
  get accepts(): string {
    return this.type.accepts;
  }

  withDescription(description: string): ConfigOption<T, D> {
    return this.#copy({ description });
  }

  /** Older names of this option, still read (after the key) but reported as deprecated. */
  withDeprecatedKeys(...deprecatedKeys: string[]): ConfigOption<T, D> {
    return this.#copy({ deprecatedKeys: [...this.deprecatedKeys, ...deprecatedKeys] });
  }

  /** Keys read when neither the key nor a deprecated key is set, in the order given. */
  withFallbackKeys(...fallbackKeys: string[]): ConfigOption<T, D> {
    return this.#copy({ fallbackKeys: [...this.fallbackKeys, ...fallbackKeys] });
  }

  /** Marks the option secret: its value is masked as `******` in output and errors. */
  secret(): ConfigOption<T, D> {
    return this.#copy({ isSecret: true });
  }

  /** Reads a raw string or typed value; throws a {@link ConfigurationError} naming `key`. */
  parse(value: unknown, key: string = this.key): T {
    const parsed = this.tryParse(value);
    if (parsed.ok) return parsed.value;
    throw new ConfigurationError([
      {
        key,
        received: describeReceived(key, typeof value === 'string' ? value : String(value)),
        expected: this.accepts,
      },
    ]);
  }

  /** Reads a raw string or typed value without throwing. */
  tryParse(value: unknown): ParseResult<T> {
    return this.type.parse(value);
  }

  /** The raw string a configuration stores for a value. */
  format(value: T): string {
    return this.type.format(value);
  }

  toString(): string {
    return `ConfigOption(${this.key})`;
  }

  #copy(changes: Partial<OptionSpec<T>>): ConfigOption<T, D> {
    return new ConfigOption<T, D>({ ...this.#spec(), ...changes });
  }

  #spec(): OptionSpec<T> {
    return {
      key: this.key,
      type: this.type,
      hasDefault: this.hasDefault,
      defaultValue: this.defaultValue,
      description: this.description,
      deprecatedKeys: this.deprecatedKeys,
      fallbackKeys: this.fallbackKeys,
      isSecret: this.isSecret,
    };
  }
}

/** Any option, whatever its value type. */
export type AnyConfigOption = ConfigOption<unknown>;

/** Second step of the builder: the type is known; add checks, then a default or none. */
export class TypedConfigOptionBuilder<T> {
  readonly #key: string;
  readonly #type: ConfigType<T>;

  /** @internal */
  constructor(key: string, type: ConfigType<T>) {
    this.#key = key;
    this.#type = type;
  }

  /** Narrows the accepted values; `accepts` says what is accepted, for messages. */
  check(test: (value: T) => boolean, accepts: string): TypedConfigOptionBuilder<T> {
    return new TypedConfigOptionBuilder(this.#key, ConfigTypes.refined(this.#type, test, accepts));
  }

  /** For `intType()`, `numberType()` and `durationType()`: values below `min` are rejected. */
  min(this: TypedConfigOptionBuilder<number>, min: number): TypedConfigOptionBuilder<number> {
    const numeric = this.#type.name === 'int' || this.#type.name === 'number';
    const accepts = numeric
      ? `${this.#type.accepts} >= ${min}`
      : `${this.#type.accepts}, at least ${this.#type.format(min)}`;
    return this.check((value) => value >= min, accepts);
  }

  defaultValue(value: T): ConfigOption<T, true> {
    if (!this.#type.parse(value).ok) {
      throw new TypeError(`Default of '${this.#key}' is not ${this.#type.accepts}`);
    }
    return new ConfigOption<T, true>({ ...this.#base(), hasDefault: true, defaultValue: value });
  }

  noDefaultValue(): ConfigOption<T, false> {
    return new ConfigOption<T, false>({ ...this.#base(), hasDefault: false, defaultValue: undefined });
  }

  #base() {
    return {
      key: this.#key,
      type: this.#type,
      description: '',
      deprecatedKeys: [],
      fallbackKeys: [],
      isSecret: false,
    };
  }
}

/** First step of the builder: a key; pick its type. */
export class ConfigOptionBuilder {
  readonly #key: string;

  /** @internal */
  constructor(key: string) {
    this.#key = key;
  }

  stringType(): TypedConfigOptionBuilder<string> {
    return this.ofType(ConfigTypes.string());
  }

  intType(): TypedConfigOptionBuilder<number> {
    return this.ofType(ConfigTypes.int());
  }

  numberType(): TypedConfigOptionBuilder<number> {
    return this.ofType(ConfigTypes.number());
  }

  booleanType(): TypedConfigOptionBuilder<boolean> {
    return this.ofType(ConfigTypes.boolean());
  }

  /** Whole milliseconds; accepts numbers (ms) and strings such as `10 s`, `500ms`, `1 min`. */
  durationType(): TypedConfigOptionBuilder<number> {
    return this.ofType(ConfigTypes.duration());
  }

  /** One of `values`, case-insensitive; `aliases` maps other accepted names to a value. */
  enumType<const V extends string>(
    values: readonly V[],
    aliases?: Readonly<Record<string, V>>,
  ): TypedConfigOptionBuilder<V> {
    return this.ofType(ConfigTypes.enumeration(values, aliases));
  }

  /** A custom value type. */
  ofType<T>(type: ConfigType<T>): TypedConfigOptionBuilder<T> {
    return new TypedConfigOptionBuilder(this.#key, type);
  }
}

/**
 * Entry point of the option builder, after Flink's:
 *
 * ```ts
 * const REGION = ConfigOptions.key('aws.region').stringType().noDefaultValue().withDescription('...');
 * const ATTEMPTS = ConfigOptions.key('aws.client.max-attempts').intType().min(1).defaultValue(3);
 * ```
 */
export const ConfigOptions = {
  key(key: string): ConfigOptionBuilder {
    if (key.trim() === '' || key !== key.trim()) {
      throw new TypeError(`Invalid configuration key '${key}'`);
    }
    return new ConfigOptionBuilder(key);
  },
} as const;
