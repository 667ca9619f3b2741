import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** An option of a command, as `util.parseArgs` takes it, with its help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: false;
  /** e.g. `<n>`; shown in help after the option. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What {@link parseCommand} found: options by name and the positional arguments. */
export interface ParsedCommand {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses `args` strictly: an unknown option or a missing value is a {@link UsageError} naming the command. */
export function parseCommand(command: string, args: readonly string[], options: OptionSpecs): ParsedCommand {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(options)) {
    config[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: config,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    // Node's own errors may come from another realm (e.g. under jest): read the message by shape.
    const raw = (error as { message?: unknown }).message;
    const message = typeof raw === 'string' ? raw.replace(/\. To specify.*$/s, '') : String(error);
    throw new UsageError(message.replace(/\.$/, ''), command);
  }
}

/** A string option, or undefined. */
export function stringOption(parsed: ParsedCommand, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A non-negative integer option, or `fallback`; a {@link UsageError} for anything else. */
export function integerOption(
  parsed: ParsedCommand,
  name: string,
  command: string,
  fallback: number,
  min = 0,
): number {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, not '${raw}'`, command);
  }
  return value;
}

/** The positional at `index`, or a {@link UsageError} naming what is missing. */
export function requiredPositional(
  parsed: ParsedCommand,
  index: number,
  what: string,
  command: string,
): string {
  const value = parsed.positionals[index];
  if (value === undefined) throw new UsageError(`missing ${what}`, command);
  return value;
}

/** Rejects positionals beyond `count`. */
export function noMorePositionals(parsed: ParsedCommand, count: number, command: string): void {
  const extra = parsed.positionals[count];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, command);
}
