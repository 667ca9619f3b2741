const encoder = new TextEncoder();
// fatal: corrupt bytes must fail, not turn into U+FFFD; ignoreBOM: a leading U+FEFF is data.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ES2024's String.prototype.isWellFormed (Node >= 20); the package's lib is ES2023.
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
  .isWellFormed;

/**
 * UTF-8 bytes of `value`, or undefined when it holds a lone surrogate: UTF-8 cannot represent
 * one, and replacing it with U+FFFD would let two different strings share the same bytes.
 */
export function encodeUtf8(value: string): Uint8Array | undefined {
  return isWellFormed.call(value) ? encoder.encode(value) : undefined;
}

/** The string encoded in `bytes`; throws a `TypeError` for invalid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
