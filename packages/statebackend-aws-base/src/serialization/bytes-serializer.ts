import { BaseSerializer } from './base-serializer.js';

/**
 * Byte arrays as themselves. Deterministic. Both directions copy, so the caller may reuse its
 * array and a decoded value never pins a larger read buffer in memory. Accepts any
 * `Uint8Array` (a Node.js `Buffer` too) and always returns a plain `Uint8Array`.
 */
export class BytesSerializer extends BaseSerializer<Uint8Array> {
  static readonly INSTANCE = new BytesSerializer();
  readonly id = 'bytes';
  readonly deterministic = true;

  serialize(value: Uint8Array): Uint8Array {
    return new Uint8Array(this.serializeTransient(value));
  }

  /** The value itself: the caller copies it at once. */
  serializeTransient(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) this.rejectValue(value, 'Uint8Array (or Buffer) values');
    return value;
  }

  deserialize(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(bytes);
  }

  override copy(value: Uint8Array): Uint8Array {
    return new Uint8Array(value);
  }
}
