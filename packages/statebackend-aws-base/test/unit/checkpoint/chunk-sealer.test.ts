import { randomBytes } from 'node:crypto';
import { ChunkPool } from '../../../src/checkpoint/format/chunk-pool.js';
import { ChunkSealer } from '../../../src/checkpoint/format/chunk-sealer.js';
import type { SealRequest } from '../../../src/checkpoint/format/chunk-sealing.js';
import { crc32 } from '../../../src/spi.js';

// Sealing checksums a chunk's blocks and the chunk, and stores a compressed file's frame as it is
// or compressed; the worker thread does what the calling thread would, on the chunk's own buffer.

const HEADER = 8;

/** A chunk of `blocks` blocks after a header, compressible or not. */
function chunk(
  blockLengths: readonly number[],
  compressible: boolean,
): { bytes: Uint8Array; blocks: number[] } {
  const total = HEADER + blockLengths.reduce((a, b) => a + b, 0);
  const bytes = compressible
    ? Uint8Array.from({ length: total }, (_, i) => (i % 97 < 90 ? 7 : i & 0xff))
    : new Uint8Array(randomBytes(total));
  const blocks: number[] = [];
  let at = HEADER;
  for (const length of blockLengths) {
    blocks.push(at, length);
    at += length;
  }
  return { bytes, blocks };
}

function request(file: number, compressible: boolean, compress: boolean, headerLength = HEADER): SealRequest {
  const { bytes, blocks } = chunk([10, 40_000, 300, 200_000], compressible);
  return { file, bytes, headerLength, blocks, compress, last: false };
}

describe('ChunkSealer', () => {
  const sealer = new ChunkSealer();

  it('checksums every block and the chunk, the same on the worker as here', async () => {
    const here = request(sealer.newFile(), true, false);
    const expected = here.blocks.flatMap((start, i) =>
      i % 2 === 0 ? [crc32(here.bytes.subarray(start, start + (here.blocks[i + 1] as number)))] : [],
    );
    const copy = here.bytes.slice();
    const local = sealer.sealHere(here);
    expect(local.blockCrcs).toEqual(expected);
    expect(local.crc).toBe(crc32(copy));
    expect(local.payloadCrc).toBe(crc32(copy.subarray(HEADER)));
    expect(local.codec).toBe(0);

    const away = { ...here, bytes: copy.slice() };
    const sealed = await sealer.seal(away);
    // The buffer went to the worker and came back.
    expect(away.bytes.byteLength).toBe(0);
    expect(sealed.bytes).toEqual(copy);
    expect({ ...sealed, bytes: undefined }).toEqual({ ...local, bytes: undefined });
  });

  it('compresses a frame that compresses, and stores one that does not, on the worker', async () => {
    const compressible = request(sealer.newFile(), true, true);
    const raw = compressible.bytes.slice();
    const sealed = await sealer.seal(compressible);
    expect(sealed.codec).toBe(1);
    expect(sealed.compressed?.length).toBeLessThan(raw.length / 4);
    expect(sealed.compressedCrc).toBe(crc32(sealed.compressed as Uint8Array));
    const { zstdDecompressSync } = (await import('node:zlib')) as unknown as {
      zstdDecompressSync: (b: Uint8Array) => Uint8Array;
    };
    expect(new Uint8Array(zstdDecompressSync(sealed.compressed as Uint8Array))).toEqual(raw.subarray(HEADER));

    const random = request(sealer.newFile(), false, true);
    const stored = await sealer.seal(random);
    expect(stored.codec).toBe(0);
    expect(stored.compressed).toBeUndefined();
  });

  it('tells the chunk pool where its buffer went', async () => {
    const pool = new ChunkPool(64 * 1024, 1024 * 1024);
    const lent = pool.acquire();
    lent.fill(3);
    const sealed = await sealer.seal(
      {
        file: sealer.newFile(),
        bytes: lent.subarray(0, 1000),
        headerLength: 0,
        blocks: [0, 1000],
        compress: false,
        last: true,
      },
      (from, to) => pool.moved(from, to),
    );
    expect(sealed.bytes.length).toBe(1000);
    pool.release([sealed.bytes]);
    expect(pool.pooled).toBe(1);
    expect(pool.acquire().buffer).toBe(sealed.bytes.buffer);
  });
});
