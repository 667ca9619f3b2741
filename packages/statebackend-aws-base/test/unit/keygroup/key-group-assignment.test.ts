import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeDefaultMaxParallelism,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
  KeyGroupArgumentError,
  KeyGroupRange,
  Serializers,
} from '../../../src/index.js';
import { keyGroupHash } from '../../../src/spi.js';

const range = (m: number, p: number, i: number): [number, number] => {
  const r = computeKeyGroupRangeForOperatorIndex(m, p, i);
  return [r.startKeyGroup, r.endKeyGroup];
};

describe('assignToKeyGroup', () => {
  it('is the non-negative murmur3 hash of the key bytes modulo maxParallelism', () => {
    // murmur3("hello") = 0x248bfa47 = 613153351, non-negative as an int32.
    //   m = 128: 128 is 2^7, so the remainder is the low 7 bits: 0x47 & 0x7f = 71.
    //   m = 10:  613153351 mod 10 = 1.
    const hello = Serializers.string.serialize('hello');
    expect(keyGroupHash(hello)).toBe(613_153_351);
    expect(assignToKeyGroup(hello, 128)).toBe(71);
    expect(assignToKeyGroup(hello, 10)).toBe(1);

    // murmur3(21 43 65 87) = 0xf55b516b, negative as an int32: -(2^32 - 0xf55b516b) =
    //   -0x0aa4ae95 = -178564757. Its absolute value 178564757 is used (as Flink's
    //   MathUtils.murmurHash does): 0x95 & 0x7f = 0x15 = 21 for m = 128.
    const negative = new Uint8Array([0x21, 0x43, 0x65, 0x87]);
    expect(keyGroupHash(negative)).toBe(178_564_757);
    expect(assignToKeyGroup(negative, 128)).toBe(21);
  });

  it('puts equal keys in the same key group and spreads distinct keys over all of them', () => {
    const counts = new Array<number>(128).fill(0);
    for (let user = 0; user < 12_800; user++) {
      const keyGroup = assignToKeyGroup(Serializers.string.serialize(`user-${user}`), 128);
      expect(assignToKeyGroup(Serializers.string.serialize(`user-${user}`), 128)).toBe(keyGroup);
      counts[keyGroup] = (counts[keyGroup] ?? 0) + 1;
    }
    // 100 keys per group on average; a hash this uniform stays well within 50..150.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  it('rejects a maxParallelism outside 1..32768 with a typed error', () => {
    const key = Serializers.string.serialize('k');
    expect(() => assignToKeyGroup(key, 0)).toThrow(KeyGroupArgumentError);
    expect(() => assignToKeyGroup(key, 32_769)).toThrow(/maxParallelism: received 32769/);
    expect(() => assignToKeyGroup(key, 1.5)).toThrow(KeyGroupArgumentError);
  });

  it('assigns a key to the operator whose range holds its key group', () => {
    const key = Serializers.string.serialize('hello'); // key group 71 of 128, see above
    // p = 3: operator 1 owns [43, 85] (see the range test below).
    expect(assignKeyToParallelOperator(key, 128, 3)).toBe(1);
  });
});

describe('computeKeyGroupRangeForOperatorIndex', () => {
  it('matches ranges computed by hand: [ceil(i*m/p), ceil((i+1)*m/p) - 1]', () => {
    // m = 128, p = 3:
    //   i = 0: [ceil(0), ceil(128/3) - 1]       = [0, ceil(42.67) - 1]      = [0, 42]
    //   i = 1: [ceil(128/3), ceil(256/3) - 1]   = [43, ceil(85.33) - 1]     = [43, 85]
    //   i = 2: [ceil(256/3), ceil(384/3) - 1]   = [ceil(85.33), 128 - 1]    = [86, 127]
    expect(range(128, 3, 0)).toEqual([0, 42]);
    expect(range(128, 3, 1)).toEqual([43, 85]);
    expect(range(128, 3, 2)).toEqual([86, 127]);
    // m = 10, p = 4:
    //   i = 0: [0, ceil(2.5) - 1]          = [0, 2]
    //   i = 1: [ceil(2.5), ceil(5) - 1]    = [3, 4]
    //   i = 2: [ceil(5), ceil(7.5) - 1]    = [5, 7]
    //   i = 3: [ceil(7.5), ceil(10) - 1]   = [8, 9]
    expect([0, 1, 2, 3].map((i) => range(10, 4, i))).toEqual([
      [0, 2],
      [3, 4],
      [5, 7],
      [8, 9],
    ]);
    // m = 5, p = 3: i = 0: [0, ceil(1.67) - 1] = [0, 1]; i = 1: [2, ceil(3.33) - 1] = [2, 3];
    //   i = 2: [ceil(3.33), 5 - 1] = [4, 4]
    expect([0, 1, 2].map((i) => range(5, 3, i))).toEqual([
      [0, 1],
      [2, 3],
      [4, 4],
    ]);
    // m = p = 7: every operator owns exactly key group i.
    expect(range(7, 7, 6)).toEqual([6, 6]);
    // p = 1 owns everything: [0, 32767].
    expect(range(32_768, 1, 0)).toEqual([0, 32_767]);
  });

  it.each([
    [128, 1],
    [128, 3],
    [128, 128],
    [10, 4],
    [7, 7],
    [1000, 7],
    [32_768, 333],
    [4096, 4095],
  ])(
    'for m = %i, p = %i the ranges partition [0, m) and agree with computeOperatorIndexForKeyGroup',
    (m, p) => {
      let next = 0;
      for (let i = 0; i < p; i++) {
        const r = computeKeyGroupRangeForOperatorIndex(m, p, i);
        expect(r.startKeyGroup).toBe(next);
        expect(r.size).toBeGreaterThanOrEqual(Math.floor(m / p));
        expect(r.size).toBeLessThanOrEqual(Math.ceil(m / p));
        next = r.endKeyGroup + 1;
      }
      expect(next).toBe(m);

      const ranges = Array.from({ length: p }, (_, i) => computeKeyGroupRangeForOperatorIndex(m, p, i));
      for (let kg = 0; kg < m; kg++) {
        const owner = computeOperatorIndexForKeyGroup(m, p, kg);
        expect(ranges[owner]?.contains(kg)).toBe(true);
      }
    },
  );

  it('rejects bad parallelism, maxParallelism and operator index with typed errors', () => {
    expect(() => computeKeyGroupRangeForOperatorIndex(128, 0, 0)).toThrow(/parallelism: received 0/);
    expect(() => computeKeyGroupRangeForOperatorIndex(128, 129, 0)).toThrow(/at most maxParallelism \(128\)/);
    expect(() => computeKeyGroupRangeForOperatorIndex(40_000, 4, 0)).toThrow(KeyGroupArgumentError);
    expect(() => computeKeyGroupRangeForOperatorIndex(128, 4, 4)).toThrow(
      /operatorIndex: received 4; expected an integer from 0 to 3/,
    );
    expect(() => computeKeyGroupRangeForOperatorIndex(128, 4, -1)).toThrow(KeyGroupArgumentError);
  });

  it('returns KeyGroupRange instances usable for restore filtering', () => {
    const owned = computeKeyGroupRangeForOperatorIndex(128, 2, 1);
    expect(owned.equals(KeyGroupRange.of(64, 127))).toBe(true);
  });
});

describe('computeOperatorIndexForKeyGroup', () => {
  it('matches values computed by hand: floor(kg * p / m)', () => {
    // m = 128, p = 3: kg 42 → floor(126/128) = 0; kg 43 → floor(129/128) = 1;
    //   kg 85 → floor(255/128) = 1; kg 86 → floor(258/128) = 2; kg 127 → floor(381/128) = 2.
    expect([42, 43, 85, 86, 127].map((kg) => computeOperatorIndexForKeyGroup(128, 3, kg))).toEqual([
      0, 1, 1, 2, 2,
    ]);
    // m = 10, p = 4: kg 2 → floor(8/10) = 0; kg 3 → floor(12/10) = 1; kg 7 → floor(28/10) = 2;
    //   kg 8 → floor(32/10) = 3.
    expect([2, 3, 7, 8].map((kg) => computeOperatorIndexForKeyGroup(10, 4, kg))).toEqual([0, 1, 2, 3]);
  });

  it('rejects a key group outside [0, m)', () => {
    expect(() => computeOperatorIndexForKeyGroup(128, 4, 128)).toThrow(
      /keyGroup: received 128; expected an integer from 0 to 127/,
    );
  });
});

describe('computeDefaultMaxParallelism', () => {
  it('is min(max(roundUpToPowerOfTwo(p + floor(p/2)), 128), 32768), computed by hand', () => {
    // p = 1:     1 + 0 = 1         → 1      → max(1, 128)   = 128
    // p = 85:    85 + 42 = 127     → 128    → 128
    // p = 86:    86 + 43 = 129     → 256    → 256
    // p = 171:   171 + 85 = 256    → 256    (integer p/2 as in Flink; 1.5 * 171 = 256.5 would give 512)
    // p = 1000:  1000 + 500 = 1500 → 2048
    // p = 22000: 22000 + 11000 = 33000 → 65536 → min(65536, 32768) = 32768
    expect([1, 85, 86, 171, 1000, 22_000, 32_768].map(computeDefaultMaxParallelism)).toEqual([
      128, 128, 256, 256, 2048, 32_768, 32_768,
    ]);
  });

  it('rejects a parallelism outside 1..32768', () => {
    expect(() => computeDefaultMaxParallelism(0)).toThrow(KeyGroupArgumentError);
    expect(() => computeDefaultMaxParallelism(Number.NaN)).toThrow(/parallelism: received NaN/);
  });
});
