import { BooleanSerializer } from './boolean-serializer.js';
import { IntSerializer } from './int-serializer.js';
import { NumberSerializer } from './number-serializer.js';
import { StringSerializer } from './string-serializer.js';
import type { TypeSerializer } from './type-serializer.js';

/**
 * A value read straight from the bytes of a larger buffer, where `deserialize` would need a view
 * of them first: what a restore reads for each value of the common types. The counterpart of
 * `DirectEncoding`; the value is exactly what the serializer's `deserialize` returns for the same
 * bytes, and bytes it rejects go to `deserialize` (the same error).
 */
export interface DirectDecoding<T> {
  /** The value of the `length` bytes at `start` of `bytes`. */
  get(bytes: Uint8Array, start: number, length: number): T;
}

/**
 * The direct decoding of `serializer` when it is one of the built-in `int`, `number`, `string`
 * and `boolean` serializers with their own `deserialize` (a subclass that changes it has none).
 */
export function directDecodingOf<T>(serializer: TypeSerializer<T>): DirectDecoding<T> | undefined {
  return builtIn(serializer) as DirectDecoding<T> | undefined;
}

function builtIn(serializer: TypeSerializer<unknown>): DirectDecoding<unknown> | undefined {
  const deserialize = serializer.deserialize;
  if (serializer instanceof IntSerializer) {
    return deserialize === IntSerializer.prototype.deserialize ? intDecoding(serializer) : undefined;
  }
  if (serializer instanceof NumberSerializer) {
    return deserialize === NumberSerializer.prototype.deserialize ? numberDecoding(serializer) : undefined;
  }
  if (serializer instanceof StringSerializer) {
    return deserialize === StringSerializer.prototype.deserialize ? stringDecoding(serializer) : undefined;
  }
  if (serializer instanceof BooleanSerializer) {
    return deserialize === BooleanSerializer.prototype.deserialize ? booleanDecoding(serializer) : undefined;
  }
  return undefined;
}

const slow = <T>(serializer: TypeSerializer<T>, bytes: Uint8Array, start: number, length: number): T =>
  serializer.deserialize(bytes.subarray(start, start + length));

/** 4 bytes, big-endian two's complement (`IntSerializer`). */
function intDecoding(serializer: IntSerializer): DirectDecoding<number> {
  return {
    get(bytes, start, length) {
      if (length !== 4) return slow(serializer, bytes, start, length);
      return (
        ((bytes[start] as number) << 24) |
        ((bytes[start + 1] as number) << 16) |
        ((bytes[start + 2] as number) << 8) |
        (bytes[start + 3] as number)
      );
    },
  };
}

const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 8 bytes, a big-endian IEEE 754 double (`NumberSerializer`). */
function numberDecoding(serializer: NumberSerializer): DirectDecoding<number> {
  return {
    get(bytes, start, length) {
      if (length !== 8) return slow(serializer, bytes, start, length);
      if (littleEndian) {
        for (let i = 0; i < 8; i++) floatBytes[7 - i] = bytes[start + i] as number;
      } else {
        for (let i = 0; i < 8; i++) floatBytes[i] = bytes[start + i] as number;
      }
      return float[0] as number;
    },
  };
}

/** One byte, 1 or 0 (`BooleanSerializer`). */
function booleanDecoding(serializer: BooleanSerializer): DirectDecoding<boolean> {
  return {
    get(bytes, start, length) {
      if (length === 1) {
        const byte = bytes[start];
        if (byte === 1) return true;
        if (byte === 0) return false;
      }
      return slow(serializer, bytes, start, length);
    },
  };
}

const fromCharCode = String.fromCharCode;

/** UTF-8 without a prefix (`StringSerializer`): ASCII here, anything else by `deserialize`. */
function stringDecoding(serializer: StringSerializer): DirectDecoding<string> {
  return {
    get(bytes, start, length) {
      if (length > 24) return slow(serializer, bytes, start, length);
      let value = '';
      for (let i = start; i < start + length; i++) {
        const code = bytes[i] as number;
        if (code >= 0x80) return slow(serializer, bytes, start, length);
        value += fromCharCode(code);
      }
      return value;
    },
  };
}
