import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** Reads bytes of one nested value: the current deserializer, or a migration from the old format. */
export type NestedReader = (bytes: Uint8Array) => unknown;

/** One nested serializer of a composite, with what the stored snapshot recorded for it. */
export interface NestedPart {
  /** How messages name the part, e.g. `element`, `map key`, `component 1`. */
  readonly label: string;
  readonly current: TypeSerializer<unknown>;
  readonly previous: SerializerSnapshot | undefined;
}

/** The nested snapshot stored under `config[key]`, if it has the shape of one. */
export function readNestedSnapshot(config: unknown, key: string | number): SerializerSnapshot | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const nested: unknown = (config as Record<string | number, unknown>)[key];
  return isSnapshot(nested) ? nested : undefined;
}

/** Whether `value` has the shape of a {@link SerializerSnapshot}. */
export function isSnapshot(value: unknown): value is SerializerSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.version === 'number' &&
    (candidate.config === undefined || (typeof candidate.config === 'object' && candidate.config !== null))
  );
}

/**
 * A composite is compatible as-is when every part is; incompatible when any part is; otherwise
 * it migrates by reading each part with its own reader, which `buildMigration` combines.
 */
export function resolveNestedCompatibility(
  parts: readonly NestedPart[],
  buildMigration: (readers: readonly NestedReader[]) => (bytes: Uint8Array) => unknown,
): SerializerCompatibility {
  const readers: NestedReader[] = [];
  let migrates = false;
  for (const part of parts) {
    if (part.previous === undefined) {
      return { kind: 'incompatible', reason: `the stored snapshot records no ${part.label} serializer` };
    }
    const result = part.current.resolveCompatibility(part.previous);
    if (result.kind === 'incompatible') {
      return { kind: 'incompatible', reason: `${part.label}: ${result.reason}` };
    }
    if (result.kind === 'compatible-after-migration') {
      migrates = true;
      readers.push(result.migrate);
    } else {
      readers.push((bytes) => part.current.deserialize(bytes));
    }
  }
  return migrates
    ? { kind: 'compatible-after-migration', migrate: buildMigration(readers) }
    : { kind: 'compatible-as-is' };
}
