import { DeserializationError, SerializationError } from '../errors.js';
import { describeValue } from './describe-value.js';
import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Common ground of the built-in serializers: the snapshot, the compatibility rules and the
 * typed errors. A subclass provides the encoding, and may accept older formats by overriding
 * {@link BaseSerializer.migrationFrom}.
 *
 * Compatibility rules: the same id, version and configuration reads as-is; a format the
 * subclass knows how to convert is compatible after migration; anything else is incompatible.
 */
export abstract class BaseSerializer<T> implements TypeSerializer<T> {
  /** The snapshot id of this format. */
  abstract readonly id: string;
  /** The snapshot version of this format. */
  readonly version: number = 1;
  abstract readonly deterministic: boolean;

  abstract serialize(value: T): Uint8Array;
  abstract deserialize(bytes: Uint8Array): T;

  snapshot(): SerializerSnapshot {
    const config = this.snapshotConfig();
    return config === undefined
      ? { id: this.id, version: this.version }
      : { id: this.id, version: this.version, config };
  }

  resolveCompatibility(previous: SerializerSnapshot): SerializerCompatibility {
    if (previous.id === this.id && previous.version === this.version) {
      const sameConfig =
        JSON.stringify(previous.config ?? null) === JSON.stringify(this.snapshotConfig() ?? null);
      if (sameConfig) return { kind: 'compatible-as-is' };
    }
    const migrate = this.migrationFrom(previous);
    if (migrate !== undefined) return { kind: 'compatible-after-migration', migrate };
    return { kind: 'incompatible', reason: this.incompatibilityReason(previous) };
  }

  copy(value: T): T {
    return value;
  }

  /** Serializer-specific configuration recorded in the snapshot; none by default. */
  protected snapshotConfig(): Readonly<Record<string, unknown>> | undefined {
    return undefined;
  }

  /** A reader for bytes written in the `previous` format, if this serializer can convert it. */
  protected migrationFrom(_previous: SerializerSnapshot): ((bytes: Uint8Array) => T) | undefined {
    return undefined;
  }

  protected incompatibilityReason(previous: SerializerSnapshot): string {
    if (previous.id !== this.id) return `'${this.id}' cannot read the '${previous.id}' format`;
    if (previous.version !== this.version) {
      return `'${this.id}' reads version ${this.version}, the data is version ${previous.version}`;
    }
    return `the '${this.id}' configuration changed`;
  }

  /**
   * Throws the typed error for a value this serializer does not accept; `problem` says what is
   * wrong with it when its type alone does not, e.g. `circular at $.self`.
   */
  protected rejectValue(value: unknown, expected: string, problem?: string, cause?: unknown): never {
    const received = problem === undefined ? describeValue(value) : `${describeValue(value)}, ${problem}`;
    throw new SerializationError(this.id, received, expected, cause === undefined ? undefined : { cause });
  }

  /** Throws the typed error for bytes this serializer cannot decode. */
  protected rejectBytes(bytes: Uint8Array, reason: string, cause?: unknown): never {
    throw new DeserializationError(
      this.id,
      bytes.length,
      reason,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** `id@version`, the way messages name a serializer snapshot. */
export function formatSnapshot(snapshot: SerializerSnapshot): string {
  return `${snapshot.id}@${snapshot.version}`;
}
