import { BaseSerializer } from './base-serializer.js';
import { decodeUtf8, encodeUtf8, encodeUtf8Transient } from './utf8.js';

/** Strings up to this length are copied into the scratch array by char code when ASCII. */
const SHORT_ASCII = 64;
const scratch = new Uint8Array(SHORT_ASCII);

/**
 * Strings as UTF-8 bytes, without a length prefix. Deterministic. Rejects strings with a lone
 * surrogate (not representable in UTF-8) and invalid UTF-8 on read.
 */
export class StringSerializer extends BaseSerializer<string> {
  static readonly INSTANCE = new StringSerializer();
  readonly id = 'string';
  readonly deterministic = true;

  serialize(value: string): Uint8Array {
    if (typeof value !== 'string') this.rejectValue(value, 'strings');
    return encodeUtf8(value) ?? this.rejectValue(value, 'well-formed strings', 'with a lone surrogate');
  }

  /**
   * The UTF-8 bytes in a scratch array, overwritten by the next call (of this or of the UTF-8
   * helpers): what snapshots copy at once into their chunks, without an array per value. A short
   * ASCII string is copied by char code, which beats a call into the native encoder.
   */
  serializeTransient(value: string): Uint8Array {
    // A subclass that changed the encoding keeps it.
    if (this.serialize !== StringSerializer.prototype.serialize) return this.serialize(value);
    if (typeof value !== 'string') this.rejectValue(value, 'strings');
    const length = value.length;
    if (length <= SHORT_ASCII) {
      let seen = 0;
      for (let i = 0; i < length; i++) {
        const code = value.charCodeAt(i);
        seen |= code;
        scratch[i] = code;
      }
      if (seen < 0x80) return scratch.subarray(0, length);
    }
    return encodeUtf8Transient(value) ?? this.serialize(value);
  }

  deserialize(bytes: Uint8Array): string {
    try {
      return decodeUtf8(bytes);
    } catch (cause) {
      return this.rejectBytes(bytes, 'not valid UTF-8', cause);
    }
  }
}

/**
 * True for the built-in string serializer (or a subclass that keeps its encoding): UTF-8
 * without a prefix, so an ASCII string's bytes are its character codes.
 */
export function isBuiltInStringSerializer(serializer: unknown): boolean {
  return (
    serializer instanceof StringSerializer && serializer.serialize === StringSerializer.prototype.serialize
  );
}
