import { BaseSerializer } from './base-serializer.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

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
