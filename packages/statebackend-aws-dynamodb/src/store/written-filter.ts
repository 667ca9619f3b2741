const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED_1 = 0x9747b28c;
const SEED_2 = 0x5bd1e995;

/**
 * A Bloom filter of the entries this writer has put in its own slot (this epoch). A new epoch
 * starts with an empty slot, so an entry the filter has never seen has no own item, and a blind
 * write to it needs no read first. A false positive only costs that read.
 */
export class WrittenFilter {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** `bits` is rounded up to a power of two (default 2^23 bits: 1 MiB). */
  constructor(bits = 1 << 23) {
    let size = 32;
    while (size < bits) size *= 2;
    this.#bits = new Uint32Array(size / 32);
    this.#mask = size - 1;
  }

  add(id: string): void {
    const bits = this.#bits;
    const h1 = hashUnits(id, SEED_1);
    const h2 = hashUnits(id, SEED_2);
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + i * h2) & this.#mask;
      bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
  }

  /** False when `id` was certainly never added. */
  mightContain(id: string): boolean {
    const bits = this.#bits;
    const h1 = hashUnits(id, SEED_1);
    const h2 = hashUnits(id, SEED_2);
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + i * h2) & this.#mask;
      if (((bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/**
 * MurmurHash3_x86_32's mixing over the UTF-16 units of `id`, two units to a 32-bit block: read
 * in place, so a flush hashes thousands of ids without encoding or allocating anything. Only
 * this process's filter uses it: it need not match any other hash.
 */
function hashUnits(id: string, seed: number): number {
  const length = id.length;
  const blockEnd = length & ~1;
  let h = seed | 0;
  for (let i = 0; i < blockEnd; i += 2) {
    let k = id.charCodeAt(i) | (id.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (blockEnd !== length) {
    let k = id.charCodeAt(blockEnd);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
