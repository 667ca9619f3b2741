import {
  cellId,
  idToBytes,
  NAMESPACE_SEPARATOR,
  splitCellId,
  stringKeyId,
} from '../../../src/backend/byte-id.js';
import { bytesToId } from '../../../src/spi.js';

describe('byte ids', () => {
  it('map every byte value to one character and back, for short and long arrays', () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const bytes of [every.subarray(0, 10), every, new Uint8Array(0)]) {
      const id = bytesToId(bytes);
      expect(id.length).toBe(bytes.length);
      expect(idToBytes(id)).toEqual(new Uint8Array(bytes));
    }
  });

  it('read views at an offset of a larger buffer', () => {
    const buffer = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect(bytesToId(buffer.subarray(50, 90))).toBe(
      bytesToId(Uint8Array.from({ length: 40 }, (_, i) => 50 + i)),
    );
  });

  it('use an ASCII string key itself as its id, and the bytes otherwise', () => {
    const key = 'user-42';
    expect(stringKeyId(key, new TextEncoder().encode(key))).toBe(key);
    const accented = 'é';
    const utf8 = new TextEncoder().encode(accented);
    expect(stringKeyId(accented, utf8)).toBe(bytesToId(utf8));
    expect(stringKeyId(accented, utf8)).not.toBe(accented);
  });

  it('build cell ids that split back into key and namespace, never colliding with a plain key id', () => {
    const id = cellId(bytesToId(new Uint8Array([1, 2])), bytesToId(new Uint8Array([0xff])));
    expect(splitCellId(id)).toEqual({ keyId: '\u0001\u0002', namespaceId: '\u00ff' });
    expect(cellId('k', undefined)).toBe('k');
    expect(cellId('k', '')).toBe(`k${NAMESPACE_SEPARATOR}`);
    expect(splitCellId('k')).toEqual({ keyId: 'k', namespaceId: '' });
  });
});
