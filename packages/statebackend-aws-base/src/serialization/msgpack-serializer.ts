import { C1, type Options, Packr } from 'msgpackr';
import { BaseSerializer } from './base-serializer.js';
import { canonicalize } from './canonicalize.js';
import { findCircularPath } from './describe-value.js';
import type { SerializerSnapshot } from './type-serializer.js';
import { decodeUtf8 } from './utf8.js';

/** Options of {@link MsgpackSerializer}. */
export interface MsgpackSerializerOptions {
  /**
   * Sort the keys of plain objects before encoding, so that equal objects always give equal
   * bytes: needed when the values are keys. Costs a copy of every plain object on serialize;
   * `Map` and `Set` entries keep their insertion order. Default `false`.
   */
  readonly deterministic?: boolean;
  /**
   * Write objects as msgpackr records so that `Map`s come back as `Map`s (by default they come
   * back as plain objects). The bytes are then msgpackr-specific rather than standard
   * MessagePack, and encoding is slower. Default `false`.
   */
  readonly preserveMaps?: boolean;
}

const ACCEPTS =
  'plain objects, arrays, strings, numbers, bigints, booleans, null, undefined, Dates, Maps, Sets, ' +
  'typed arrays and Errors, without cycles, functions or symbols';

const FUNCTION_FOUND = new Error('a function cannot be stored');

function packrOptions(preserveMaps: boolean, compactMaps = false): Options {
  return {
    useRecords: preserveMaps,
    // Keys are stored and compared as bytes: the smallest map header is worth its encoding cost.
    variableMapSize: compactMaps,
    // Sets, typed arrays and Errors round-trip instead of degrading to plain objects.
    moreTypes: true,
    // Bigints beyond 64 bits are written exactly instead of throwing or losing precision.
    useBigIntExtension: true,
    // A toJSON() describes an API shape, not the state to keep; store the object's own fields.
    useToJSON: false,
    // The default writes functions as undefined, silently losing data.
    writeFunction: () => {
      throw FUNCTION_FOUND;
    },
  };
}

/**
 * The general-purpose serializer for structured values, built on `msgpackr`: standard
 * MessagePack, about twice as fast as JSON to encode on a typical record, and lossless for
 * what JSON loses: `undefined`, `NaN`, infinities, `Date`, `Set`, bigints of any size, typed
 * arrays and `Uint8Array`s. `-0` is written as the integer `0`.
 *
 * Class instances are written as plain objects and read back without their prototype. By
 * default `Map`s read back as plain objects; see {@link MsgpackSerializerOptions.preserveMaps}.
 *
 * Deterministic only with `{ deterministic: true }` (keys are sorted); otherwise two equal
 * objects whose properties were added in different orders give different bytes.
 *
 * Reads data written by the `json` serializer after migration.
 */
export class MsgpackSerializer<T> extends BaseSerializer<T> {
  readonly id = 'msgpack';
  readonly deterministic: boolean;
  readonly #preserveMaps: boolean;
  readonly #packr: Packr;

  constructor(options: MsgpackSerializerOptions = {}) {
    super();
    this.deterministic = options.deterministic ?? false;
    this.#preserveMaps = options.preserveMaps ?? false;
    this.#packr = new Packr(packrOptions(this.#preserveMaps, this.deterministic));
  }

  serialize(value: T): Uint8Array {
    try {
      return this.#packr.pack(this.deterministic ? canonicalize(value) : value);
    } catch (cause) {
      return this.rejectValue(value, ACCEPTS, this.#describeFailure(value, cause), cause);
    }
  }

  deserialize(bytes: Uint8Array): T {
    return this.#unpackWith(this.#packr, bytes);
  }

  override copy(value: T): T {
    return this.deserialize(this.serialize(value));
  }

  protected override snapshotConfig(): Readonly<Record<string, unknown>> {
    return { preserveMaps: this.#preserveMaps };
  }

  protected override migrationFrom(previous: SerializerSnapshot): ((bytes: Uint8Array) => T) | undefined {
    if (previous.id === 'json' && previous.version === 1) {
      return (bytes) => {
        try {
          return JSON.parse(decodeUtf8(bytes)) as T;
        } catch (cause) {
          return this.rejectBytes(bytes, 'not UTF-8 JSON written by the json serializer', cause);
        }
      };
    }
    if (previous.id === this.id && previous.version === this.version) {
      // The other record mode decodes Maps and objects differently: read with its own decoder.
      const previousPackr = new Packr(packrOptions(previous.config?.preserveMaps === true));
      return (bytes) => this.#unpackWith(previousPackr, bytes);
    }
    return undefined;
  }

  #unpackWith(packr: Packr, bytes: Uint8Array): T {
    let value: unknown;
    try {
      value = packr.unpack(bytes);
    } catch (cause) {
      return this.rejectBytes(
        bytes,
        `not MessagePack (${cause instanceof Error ? cause.message : String(cause)})`,
        cause,
      );
    }
    // msgpackr returns the C1 sentinel for the reserved byte 0xC1 instead of throwing.
    if (value === C1) return this.rejectBytes(bytes, 'not MessagePack (reserved byte 0xC1)');
    return value as T;
  }

  #describeFailure(value: T, cause: unknown): string {
    if (cause === FUNCTION_FOUND) return 'contains a function';
    if (cause instanceof RangeError && /call stack/i.test(cause.message)) {
      const circular = findCircularPath(value);
      return circular === undefined ? 'nested too deeply' : `circular at ${circular}`;
    }
    if (cause instanceof Error && /symbol/i.test(cause.message)) return 'contains a symbol';
    return cause instanceof Error ? cause.message : String(cause);
  }
}
