import { BaseSerializer } from './base-serializer.js';
import type { SerializerSnapshot } from './type-serializer.js';

const scratch = new Uint8Array(8);
const view = new DataView(scratch.buffer);

/**
 * Numbers as 8-byte big-endian IEEE 754 doubles. Every number round-trips, including `-0`,
 * `NaN` and the infinities. Deterministic: `NaN` is always written as the same bit pattern;
 * note that `0` and `-0` are different bytes, so they are different keys.
 *
 * Reads data written by the `int` serializer after migration (int32 widens to a number).
 */
export class NumberSerializer extends BaseSerializer<number> {
  static readonly INSTANCE = new NumberSerializer();
  readonly id = 'number';
  readonly deterministic = true;

  serialize(value: number): Uint8Array {
    if (typeof value !== 'number') this.rejectValue(value, 'numbers');
    // Canonical quiet NaN: NaN payloads could otherwise make equal keys differ in bytes.
    view.setFloat64(0, Number.isNaN(value) ? Number.NaN : value);
    return scratch.slice();
  }

  /** The 8 bytes in a scratch array, overwritten by the next call. */
  serializeTransient(value: number): Uint8Array {
    // A subclass that changed the encoding keeps it.
    if (this.serialize !== NumberSerializer.prototype.serialize) return this.serialize(value);
    if (typeof value !== 'number') this.rejectValue(value, 'numbers');
    view.setFloat64(0, Number.isNaN(value) ? Number.NaN : value);
    return scratch;
  }

  deserialize(bytes: Uint8Array): number {
    if (bytes.length !== 8) this.rejectBytes(bytes, 'expected exactly 8 bytes');
    scratch.set(bytes);
    return view.getFloat64(0);
  }

  protected override migrationFrom(
    previous: SerializerSnapshot,
  ): ((bytes: Uint8Array) => number) | undefined {
    if (previous.id !== 'int' || previous.version !== 1) return undefined;
    return (bytes) => {
      if (bytes.length !== 4) this.rejectBytes(bytes, 'expected exactly 4 bytes of an int written before');
      return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
    };
  }
}
