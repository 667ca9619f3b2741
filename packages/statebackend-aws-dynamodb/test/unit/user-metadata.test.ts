import { decodeUserMetadata, encodeUserMetadata } from '../../src/backend/restored-info.js';

describe("the caller's checkpoint metadata", () => {
  it('round-trips JSON values, undefined included', () => {
    for (const value of [{ partition: 3, offset: 4711 }, 'two', 0, null, [1, 'a'], undefined]) {
      expect(decodeUserMetadata(encodeUserMetadata(value))).toEqual(value);
    }
  });

  it('keeps bytes as they are, and reads them back as JSON when they hold UTF-8 JSON', () => {
    const bytes = new TextEncoder().encode('{"offset":7}');
    expect(encodeUserMetadata(bytes)).toBe(bytes);
    expect(decodeUserMetadata(bytes)).toEqual({ offset: 7 });
    expect(decodeUserMetadata(Uint8Array.of(0xff, 0xfe))).toBeUndefined();
    expect(decodeUserMetadata(new Uint8Array(0))).toBeUndefined();
  });
});
