import { murmur3x86_32Ascii } from '../../../src/keygroup/murmur3.js';
import { murmur3x86_32 } from '../../../src/spi.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// Reference vectors of MurmurHash3_x86_32 (SMHasher), as collected by Ian Boyd
// (stackoverflow.com/a/31929528) and used by the test suites of many ports (mmh3, Boost.Hash2).
const vectors: ReadonlyArray<[string, Uint8Array, number, number]> = [
  ['empty, seed 0', new Uint8Array([]), 0, 0x00000000],
  ['empty, seed 1', new Uint8Array([]), 1, 0x514e28b7],
  ['empty, seed 0xffffffff', new Uint8Array([]), 0xffffffff, 0x81f16f39],
  ['ff ff ff ff', new Uint8Array([0xff, 0xff, 0xff, 0xff]), 0, 0x76293b50],
  ['21 43 65 87', new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0, 0xf55b516b],
  ['21 43 65 87, seed 0x5082edee', new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0x5082edee, 0x2362f9de],
  ['21 43 65 (3-byte tail)', new Uint8Array([0x21, 0x43, 0x65]), 0, 0x7e4a8634],
  ['21 43 (2-byte tail)', new Uint8Array([0x21, 0x43]), 0, 0xa0f7b07a],
  ['21 (1-byte tail)', new Uint8Array([0x21]), 0, 0x72661cf4],
  ['00 00 00 00', new Uint8Array([0, 0, 0, 0]), 0, 0x2362f9de],
  ['00 00 00', new Uint8Array([0, 0, 0]), 0, 0x85f0b427],
  ['00 00', new Uint8Array([0, 0]), 0, 0x30f4c306],
  ['00', new Uint8Array([0]), 0, 0x514e28b7],
  ['"Hello, world!", seed 1234', utf8('Hello, world!'), 1234, 0xfaf6cdb3],
  ['"Hello, world!", seed 4321', utf8('Hello, world!'), 4321, 0xbf505788],
  ['"aaaa", seed 0x9747b28c', utf8('aaaa'), 0x9747b28c, 0x5a97808a],
  ['"aaa", seed 0x9747b28c', utf8('aaa'), 0x9747b28c, 0x283e0130],
  ['"abc", seed 0x9747b28c', utf8('abc'), 0x9747b28c, 0xc84a62dd],
  ['"Hello, world!", seed 0x9747b28c', utf8('Hello, world!'), 0x9747b28c, 0x24884cba],
  ['"hello", seed 0', utf8('hello'), 0, 0x248bfa47],
];

describe('murmur3x86_32', () => {
  it.each(vectors)('matches the reference vector for %s', (_name, bytes, seed, expected) => {
    expect(murmur3x86_32(bytes, seed)).toBe(expected);
  });

  it('hashes a view of a larger buffer by its own bytes only', () => {
    const backing = new Uint8Array([9, 9, 0x21, 0x43, 0x65, 0x87, 9]);
    expect(murmur3x86_32(backing.subarray(2, 6))).toBe(0xf55b516b);
  });

  it('returns an unsigned 32-bit integer for every input length', () => {
    for (let length = 0; length < 64; length++) {
      const hash = murmur3x86_32(new Uint8Array(length).fill(0xab));
      expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    }
  });
});

describe('murmur3x86_32Ascii', () => {
  it('equals murmur3x86_32 of the UTF-8 bytes for ASCII strings of every length and seed', () => {
    for (let length = 0; length < 40; length++) {
      let text = '';
      for (let i = 0; i < length; i++) text += String.fromCharCode((i * 37 + length) % 128);
      for (const seed of [0, 1, 0x9747b28c]) {
        expect(murmur3x86_32Ascii(text, seed)).toBe(murmur3x86_32(utf8(text), seed));
      }
    }
    expect(murmur3x86_32Ascii('Hello, world!', 1234)).toBe(0xfaf6cdb3);
  });

  it('returns -1 for a string with a non-ASCII unit, in a block or in the tail', () => {
    for (const text of ['\u0080', 'abc\u00e9', 'ab\u00e9', '\u00e9abcd', 'abcd\u20ac', 'x\ud83d\ude00']) {
      expect(murmur3x86_32Ascii(text)).toBe(-1);
    }
  });
});
