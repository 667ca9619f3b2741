import { BaseSerializer } from './base-serializer.js';

const scratch = new Uint8Array(4);
const view = new DataView(scratch.buffer);

/** Smallest value the `int` serializer accepts: -2^31. */
export const INT32_MIN = -2_147_483_648;
/** Largest value the `int` serializer accepts: 2^31 - 1. */
export const INT32_MAX = 2_147_483_647;

/**
 * Integers from -2^31 to 2^31 - 1 as 4-byte big-endian two's complement, half the size of
 * `number`. Deterministic. Rejects non-integers, `NaN`, infinities and values out of range
 * rather than truncating them; `-0` is stored as `0`.
 */
export class IntSerializer extends BaseSerializer<number> {
  static readonly INSTANCE = new IntSerializer();
  readonly id = 'int';
  readonly deterministic = true;

  serialize(value: number): Uint8Array {
    return this.serializeTransient(value).slice();
  }

  /** The 4 bytes in a scratch array, overwritten by the next call. */
  serializeTransient(value: number): Uint8Array {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      this.rejectValue(
        value,
        `integers from ${INT32_MIN} to ${INT32_MAX} (use 'number' or 'bigint' for others)`,
      );
    }
    view.setInt32(0, value);
    return scratch;
  }

  deserialize(bytes: Uint8Array): number {
    if (bytes.length !== 4) this.rejectBytes(bytes, 'expected exactly 4 bytes');
    scratch.set(bytes);
    return view.getInt32(0);
  }
}
