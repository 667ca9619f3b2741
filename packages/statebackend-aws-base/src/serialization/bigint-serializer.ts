import { BaseSerializer } from './base-serializer.js';
import type { SerializerSnapshot } from './type-serializer.js';

/**
 * Bigints of any size as minimal big-endian two's complement (the layout of Java's
 * `BigInteger.toByteArray()`): `0n` is one byte `00`, `-1n` is `ff`, `128n` is `00 80`.
 * Deterministic, since the shortest form is always written.
 *
 * Reads data written by the `int` serializer after migration.
 */
export class BigIntSerializer extends BaseSerializer<bigint> {
  static readonly INSTANCE = new BigIntSerializer();
  readonly id = 'bigint';
  readonly deterministic = true;

  serialize(value: bigint): Uint8Array {
    if (typeof value !== 'bigint') this.rejectValue(value, 'bigints (convert numbers with BigInt(n))');
    // Magnitude bits of the value, or of its one's complement when negative, plus a sign bit.
    const magnitude = value < 0n ? -value - 1n : value;
    const bits = magnitude === 0n ? 0 : magnitude.toString(2).length;
    const byteLength = Math.floor(bits / 8) + 1;
    const hex = BigInt.asUintN(byteLength * 8, value)
      .toString(16)
      .padStart(byteLength * 2, '0');
    const out = new Uint8Array(byteLength);
    for (let i = 0; i < byteLength; i++) {
      out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    }
    return out;
  }

  deserialize(bytes: Uint8Array): bigint {
    if (bytes.length === 0) this.rejectBytes(bytes, 'a bigint takes at least one byte');
    let hex = '0x';
    for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
    return BigInt.asIntN(bytes.length * 8, BigInt(hex));
  }

  protected override migrationFrom(
    previous: SerializerSnapshot,
  ): ((bytes: Uint8Array) => bigint) | undefined {
    if (previous.id !== 'int' || previous.version !== 1) return undefined;
    return (bytes) => {
      if (bytes.length !== 4) this.rejectBytes(bytes, 'expected exactly 4 bytes of an int written before');
      return BigInt(new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0));
    };
  }
}
