import { murmur3x86_32 } from '@statebackend/aws-base/spi';

const encoder = new TextEncoder();

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
    for (const bit of this.#positions(id))
      this.#bits[bit >>> 5] = (this.#bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
  }

  /** False when `id` was certainly never added. */
  mightContain(id: string): boolean {
    for (const bit of this.#positions(id))
      if (((this.#bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    return true;
  }

  #positions(id: string): number[] {
    const data = encoder.encode(id);
    const h1 = murmur3x86_32(data, 0x9747b28c) >>> 0;
    const h2 = murmur3x86_32(data, 0x5bd1e995) >>> 0;
    return [0, 1, 2, 3].map((i) => (h1 + i * h2) & this.#mask);
  }
}
