import type { KeyGroupBlock } from './key-group-file-format.js';

/** Largest single read when coalescing adjacent blocks, to bound memory during restore. */
const MAX_READ = 16 * 1024 * 1024;

/**
 * Runs of blocks that lie back to back in the file, each read at once (one request on S3), none
 * larger than 16 MiB unless a single block is.
 */
export function* coalesce(blocks: readonly KeyGroupBlock[]): Generator<KeyGroupBlock[]> {
  let run: KeyGroupBlock[] = [];
  let runStart = 0;
  let runEnd = -1;
  for (const block of blocks) {
    if (run.length > 0 && (block.offset !== runEnd || block.offset + block.length - runStart > MAX_READ)) {
      yield run;
      run = [];
    }
    if (run.length === 0) runStart = block.offset;
    run.push(block);
    runEnd = block.offset + block.length;
  }
  if (run.length > 0) yield run;
}
