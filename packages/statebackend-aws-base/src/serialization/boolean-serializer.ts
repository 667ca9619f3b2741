import { BaseSerializer } from './base-serializer.js';

/** Booleans as one byte, 0 or 1. Deterministic; any other byte is rejected on read. */
export class BooleanSerializer extends BaseSerializer<boolean> {
  static readonly INSTANCE = new BooleanSerializer();
  readonly id = 'boolean';
  readonly deterministic = true;

  serialize(value: boolean): Uint8Array {
    if (typeof value !== 'boolean') this.rejectValue(value, 'true or false');
    return Uint8Array.of(value ? 1 : 0);
  }

  deserialize(bytes: Uint8Array): boolean {
    const byte = bytes.length === 1 ? bytes[0] : undefined;
    if (byte === 1) return true;
    if (byte === 0) return false;
    return this.rejectBytes(bytes, 'expected one byte, 0 or 1');
  }
}
