import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '../errors.js';
import type { MetricReporterFactory } from './metric-reporter.js';

function isFactory(value: unknown): value is MetricReporterFactory {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { createMetricReporter?: unknown }).createMetricReporter === 'function'
  );
}

/** A factory object, or a class whose instances are factories. */
function asFactory(value: unknown): MetricReporterFactory | undefined {
  if (isFactory(value)) return value;
  if (typeof value === 'function') {
    const prototype: unknown = value.prototype;
    if (isFactory(prototype)) return new (value as new () => MetricReporterFactory)();
  }
  return undefined;
}

/**
 * Relative paths, and packages, are resolved against the working directory, as a user means them. A POSIX
 * absolute path is importable as it is (and `require`-able, where tests compile to CommonJS);
 * Windows needs a file URL.
 */
function importable(specifier: string): string {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && !isAbsolute(specifier)) {
    // A package is the application's dependency, not this package's: with pnpm (or any layout
    // that isolates dependencies) only the application's directory can resolve it.
    try {
      const resolved = createRequire(join(process.cwd(), 'noop.js')).resolve(specifier);
      return process.platform === 'win32' ? pathToFileURL(resolved).href : resolved;
    } catch {
      return specifier;
    }
  }
  const absolute = resolve(process.cwd(), specifier);
  return process.platform === 'win32' ? pathToFileURL(absolute).href : absolute;
}

/**
 * Reporter factories by name, so that configuration can say
 * `metrics.reporter.cloudwatch.factory.class: cloudwatch`. A reporter package registers its
 * factory in {@link defaultReporterFactories} when it is loaded.
 */
export class MetricReporterFactoryRegistry {
  readonly #factories = new Map<string, MetricReporterFactory>();

  /** Registers `factory` under `name` and each alias; a later registration of a name wins. */
  register(factory: MetricReporterFactory, name: string, ...aliases: string[]): this {
    for (const key of [name, ...aliases]) this.#factories.set(key, factory);
    return this;
  }

  get(name: string): MetricReporterFactory | undefined {
    return this.#factories.get(name);
  }

  /** The registered names, sorted. */
  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /**
   * The factory `spec` names: a registered name; or `<module>#<export>` (a package name or a
   * path relative to the working directory, and the export: a factory object or class); or a
   * module alone, which is imported and must then be registered under its own specifier or
   * have a default export that is a factory.
   *
   * @throws ConfigurationError naming `key` when nothing usable is found.
   */
  async resolve(spec: string, key = 'factory.class'): Promise<MetricReporterFactory> {
    const registered = this.#factories.get(spec);
    if (registered !== undefined) return registered;
    const hash = spec.lastIndexOf('#');
    const specifier = hash > 0 ? spec.slice(0, hash) : spec;
    const exportName = hash > 0 ? spec.slice(hash + 1) : undefined;
    const expected = `a registered reporter factory (${this.names().join(', ') || 'none registered'}) or '<module>#<export>'`;
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(importable(specifier))) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigurationError([{ key, received: `'${spec}' (module not loadable)`, expected }], {
        cause,
      });
    }
    const factory =
      exportName === undefined
        ? (this.#factories.get(specifier) ?? asFactory(loaded.default))
        : asFactory(loaded[exportName]);
    if (factory === undefined) {
      const what =
        exportName === undefined
          ? 'no registered or default factory'
          : `no factory exported as '${exportName}'`;
      throw new ConfigurationError([{ key, received: `'${spec}' (${what})`, expected }]);
    }
    return factory;
  }
}

/** The process-wide registry that configuration is resolved against unless another is given. */
export const defaultReporterFactories = new MetricReporterFactoryRegistry();
