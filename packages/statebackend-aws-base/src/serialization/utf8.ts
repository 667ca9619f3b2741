const encoder = new TextEncoder();
// fatal: corrupt bytes must fail, not turn into U+FFFD; ignoreBOM: a leading U+FEFF is data.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ES2024's String.prototype.isWellFormed (Node >= 20); the package's lib is ES2023.
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
  .isWellFormed;

// TextEncoder.encode gives each result its own off-heap buffer, which costs several times the
// encoding of a short string. Short strings (keys, mostly) are encoded into a scratch buffer and
// copied out with slice(); 3 bytes per UTF-16 unit is UTF-8's worst case.
const SCRATCH_CHARS = 2048;
const scratch = new Uint8Array(SCRATCH_CHARS * 3);

/**
 * UTF-8 bytes of `value`, or undefined when it holds a lone surrogate: UTF-8 cannot represent
 * one, and replacing it with U+FFFD would let two different strings share the same bytes.
 */
export function encodeUtf8(value: string): Uint8Array | undefined {
  if (!isWellFormed.call(value)) return undefined;
  if (value.length > SCRATCH_CHARS) return encoder.encode(value);
  return scratch.slice(0, encoder.encodeInto(value, scratch).written);
}

/**
 * The UTF-8 bytes of `value` as a view of a scratch buffer that the next call of this function
 * or of {@link encodeUtf8} overwrites: for bytes used at once and dropped (hashed, turned into an
 * id), without a buffer of their own. Undefined for a lone surrogate, or a string too long for
 * the scratch buffer (use {@link encodeUtf8}).
 */
export function encodeUtf8Transient(value: string): Uint8Array | undefined {
  if (value.length > SCRATCH_CHARS || !isWellFormed.call(value)) return undefined;
  return scratch.subarray(0, encoder.encodeInto(value, scratch).written);
}

/** True when every UTF-16 unit of `value` is ASCII (below 0x80): its UTF-8 bytes are its units. */
export function isAscii(value: string): boolean {
  let seen = 0;
  for (let i = 0; i < value.length; i++) seen |= value.charCodeAt(i);
  return seen < 0x80;
}

/** The string encoded in `bytes`; throws a `TypeError` for invalid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
