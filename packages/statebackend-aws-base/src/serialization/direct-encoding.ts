import { BooleanSerializer } from './boolean-serializer.js';
import { IntSerializer } from './int-serializer.js';
import { NumberSerializer } from './number-serializer.js';
import { StringSerializer } from './string-serializer.js';
import type { TypeSerializer } from './type-serializer.js';

/**
 * A value's serialized bytes written straight into a larger buffer, prefixed by their length as
 * unsigned LEB128: what a snapshot writes for each value, without the array `serialize` returns
 * (and, for a string, without encoding it into one array and copying that into the next).
 *
 * The bytes are exactly those of the serializer it stands for, so files read back as before. Only
 * the built-in serializers of the common value types have one ({@link directEncodingOf}).
 */
export interface DirectEncoding<T> {
  /** Most bytes {@link put} writes for `value`, its length prefix included. */
  maxLength(value: T): number;
  /**
   * Writes the length and the serialized bytes of `value` at `position` of `buffer`, which has
   * room for {@link maxLength} bytes there, and returns the position after them. Rejects what the
   * serializer rejects, with the serializer's own error.
   */
  put(value: T, buffer: Uint8Array, position: number): number;
}

/**
 * The direct encoding of `serializer` when it is one of the built-in `int`, `number`, `string`
 * and `boolean` serializers, used as they are (a subclass that changes their bytes has none).
 */
export function directEncodingOf<T>(serializer: TypeSerializer<T>): DirectEncoding<T> | undefined {
  const encoding = builtIn(serializer);
  return encoding as DirectEncoding<T> | undefined;
}

function builtIn(serializer: TypeSerializer<unknown>): DirectEncoding<never> | undefined {
  const serialize = serializer.serialize;
  if (serializer instanceof IntSerializer) {
    return serialize === IntSerializer.prototype.serialize &&
      serializer.serializeTransient === IntSerializer.prototype.serializeTransient
      ? intEncoding(serializer)
      : undefined;
  }
  if (serializer instanceof NumberSerializer) {
    return serialize === NumberSerializer.prototype.serialize ? numberEncoding(serializer) : undefined;
  }
  if (serializer instanceof StringSerializer) {
    return serialize === StringSerializer.prototype.serialize ? stringEncoding(serializer) : undefined;
  }
  if (serializer instanceof BooleanSerializer) {
    return serialize === BooleanSerializer.prototype.serialize ? booleanEncoding(serializer) : undefined;
  }
  return undefined;
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** 4 bytes, big-endian two's complement (`IntSerializer`). */
function intEncoding(serializer: IntSerializer): DirectEncoding<number> {
  return {
    maxLength: () => 5,
    put(value, buffer, position) {
      // `serialize` throws the serializer's error for what it rejects.
      if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) serializer.serialize(value);
      const v = value | 0;
      buffer[position] = 4;
      buffer[position + 1] = v >>> 24;
      buffer[position + 2] = (v >>> 16) & 0xff;
      buffer[position + 3] = (v >>> 8) & 0xff;
      buffer[position + 4] = v & 0xff;
      return position + 5;
    },
  };
}

const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 8 bytes, a big-endian IEEE 754 double, NaN canonical (`NumberSerializer`). */
function numberEncoding(serializer: NumberSerializer): DirectEncoding<number> {
  return {
    maxLength: () => 9,
    put(value, buffer, position) {
      if (typeof value !== 'number') serializer.serialize(value);
      float[0] = Number.isNaN(value) ? Number.NaN : value;
      buffer[position] = 8;
      if (littleEndian) {
        for (let i = 0; i < 8; i++) buffer[position + 1 + i] = floatBytes[7 - i] as number;
      } else {
        for (let i = 0; i < 8; i++) buffer[position + 1 + i] = floatBytes[i] as number;
      }
      return position + 9;
    },
  };
}

/** One byte, 1 or 0 (`BooleanSerializer`). */
function booleanEncoding(serializer: BooleanSerializer): DirectEncoding<boolean> {
  return {
    maxLength: () => 2,
    put(value, buffer, position) {
      if (typeof value !== 'boolean') serializer.serialize(value);
      buffer[position] = 1;
      buffer[position + 1] = value ? 1 : 0;
      return position + 2;
    },
  };
}

const textEncoder = new TextEncoder();
// ES2024's String.prototype.isWellFormed (Node >= 20); the package's lib is ES2023.
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
  .isWellFormed;

/** UTF-8 without a prefix of its own (`StringSerializer`). */
function stringEncoding(serializer: StringSerializer): DirectEncoding<string> {
  return {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    maxLength: (value) => 3 * value.length + varUintLength(3 * value.length),
    put(value, buffer, position) {
      if (typeof value !== 'string') serializer.serialize(value);
      const length = value.length;
      if (length < 0x80) {
        // ASCII, the common case: one byte per unit, and a one-byte length.
        let p = position + 1;
        let seen = 0;
        for (let i = 0; i < length; i++) {
          const code = value.charCodeAt(i);
          seen |= code;
          buffer[p++] = code;
        }
        if (seen < 0x80) {
          buffer[position] = length;
          return p;
        }
      }
      // A lone surrogate has no UTF-8: `serialize` throws the serializer's error for it.
      if (!isWellFormed.call(value)) serializer.serialize(value);
      const room = 3 * length;
      const prefix = varUintLength(room);
      const { written } = textEncoder.encodeInto(
        value,
        buffer.subarray(position + prefix, position + prefix + room),
      );
      const needed = varUintLength(written);
      if (needed < prefix)
        buffer.copyWithin(position + needed, position + prefix, position + prefix + written);
      let p = position;
      let v = written;
      while (v >= 0x80) {
        buffer[p++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      buffer[p++] = v;
      return p + written;
    },
  };
}

/** Bytes of `value` as unsigned LEB128. */
function varUintLength(value: number): number {
  let length = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) length++;
  return length;
}
