import {
  CorruptCheckpointError,
  NotACheckpointError,
  UnsupportedCheckpointVersionError,
} from '../../errors.js';
import type { JsonValue } from '../json.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { crc32 } from './crc32.js';
import { hex } from './key-group-file-index.js';

/**
 * A JSON document in a checksummed, versioned binary envelope: the checkpoint metadata file.
 *
 * ```
 * magic[4] version:u16 flags:u16 length:u32 json[length] crc:u32
 * ```
 *
 * `crc` is the CRC-32 of every byte before it. JSON keeps the metadata readable by any tool
 * and easy to extend; the envelope makes a torn or modified file impossible to mistake for a
 * valid one.
 */
export function encodeJsonEnvelope(magic: Uint8Array, version: number, document: JsonValue): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(document));
  const out = new ByteWriter(json.length + 16);
  out.writeBytes(magic);
  out.writeU16(version);
  out.writeU16(0);
  out.writeU32(json.length);
  out.writeBytes(json);
  out.writeU32(crc32(out.peek()));
  return out.takeChunk();
}

/** Decodes an envelope written by {@link encodeJsonEnvelope}; every defect is a typed error. */
export function decodeJsonEnvelope(
  file: string,
  bytes: Uint8Array,
  magic: Uint8Array,
  supportedVersions: readonly number[],
): { version: number; document: JsonValue } {
  const fail = (reason: string): never => {
    throw new CorruptCheckpointError(file, reason);
  };
  const magicText = String.fromCharCode(...magic);
  if (bytes.length < 4 || !magic.every((byte, i) => bytes[i] === byte)) {
    throw new NotACheckpointError(file, `the file does not start with the magic bytes '${magicText}'`);
  }
  const reader = new ByteReader(bytes, fail);
  reader.readBytes(4);
  const version = reader.readU16('format version');
  if (!supportedVersions.includes(version)) {
    throw new UnsupportedCheckpointVersionError(file, version, supportedVersions);
  }
  reader.readU16('flags');
  const length = reader.readU32('length');
  if (reader.remaining !== length + 4) {
    fail(`it has ${bytes.length} bytes but its header announces ${length + 16} (truncated or extended)`);
  }
  const json = reader.readBytes(length, 'JSON document');
  const expected = reader.readU32('checksum');
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (actual !== expected) fail(`checksum is ${hex(actual)}, expected ${hex(expected)}`);
  try {
    return {
      version,
      document: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json)) as JsonValue,
    };
  } catch (error) {
    return fail(`the document is not UTF-8 JSON (${String(error)})`);
  }
}
