import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryption,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { crc32, crc32Combine, knownCrc32 } from '@statebackend/aws-base/spi';

/** Where a streamed file goes, and the parameters every request writing it carries. */
export interface StreamedUploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** A part is cut once this many bytes of whole chunks wait (S3: at least 5 MiB but the last). */
  readonly partSize: number;
  /** Parts uploaded at once; reading waits while this many are in flight. */
  readonly queueSize: number;
  /** Encryption of the object, on the requests that create it. */
  readonly sse: { readonly ServerSideEncryption?: ServerSideEncryption; readonly SSEKMSKeyId?: string };
  /** The bucket owner check, on every request. */
  readonly owner: { readonly ExpectedBucketOwner?: string };
}

const MAX_PARTS = 10_000;
const NO_BODY_YET = new Uint8Array(0);

/** A part as `CompleteMultipartUpload` lists it. */
interface UploadedPart {
  readonly PartNumber: number;
  readonly ETag: string;
  readonly ChecksumCRC32: string;
}

/**
 * Uploads a file produced chunk by chunk (a data file being encoded) without copying it: each
 * part is the chunks read since the previous one, sent as they are, once they reach the part
 * size. Parts are at least the part size but for the last; S3 does not need them equal. Each part
 * carries its CRC-32 (`x-amz-checksum-crc32`), which S3 verifies and combines into the object's
 * checksum, so the SDK neither copies the part into one buffer nor hashes it for the signature
 * (it is signed `UNSIGNED-PAYLOAD`, as the SDK signs any stream). The chunks are attached to
 * each attempt the SDK makes of a part, so that its retry strategy (throttling, 5xx, network
 * errors) covers parts as it covers every other request.
 *
 * A file smaller than one part is one `PutObject`. On failure the multipart upload is aborted
 * (best effort; the caller also aborts what it finds open) and reading stops. Returns the bytes
 * written.
 */
export async function uploadStreamed(
  target: StreamedUploadTarget,
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<number> {
  const upload = new PartedUpload(target);
  try {
    for await (const chunk of content) {
      if (upload.failed) break;
      await upload.add(chunk);
    }
    return await upload.finish();
  } catch (error) {
    await upload.abort();
    throw error;
  }
}

/**
 * One streamed upload under way: chunks gathered into parts, the multipart upload created with
 * the first part, at most `queueSize` parts in flight. The first part that fails stops it.
 */
class PartedUpload {
  readonly #target: StreamedUploadTarget;
  #pending: Uint8Array[] = [];
  #pendingLength = 0;
  #size = 0;
  #uploadId: Promise<string> | undefined;
  #nextPartNumber = 1;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #parts: UploadedPart[] = [];
  #failure: { error: unknown } | undefined;

  constructor(target: StreamedUploadTarget) {
    this.#target = target;
  }

  /** A part failed: reading more is pointless. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Adds a chunk; a part's worth of them is sent, waiting while `queueSize` parts are in flight. */
  async add(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.#pending.push(chunk);
    this.#pendingLength += chunk.length;
    this.#size += chunk.length;
    if (this.#pendingLength >= this.#target.partSize) await this.#startPart();
  }

  /** Sends the rest and completes the upload (one `PutObject` when no part was cut); the size. */
  async finish(): Promise<number> {
    if (this.#uploadId === undefined) {
      await putWhole(this.#target, this.#pending, this.#pendingLength);
      return this.#size;
    }
    if (this.#pendingLength > 0 && this.#failure === undefined) await this.#startPart();
    await Promise.all(this.#inFlight);
    if (this.#failure !== undefined) throw this.#failure.error;
    const parts = [...this.#parts].sort((a, b) => a.PartNumber - b.PartNumber);
    await completeUpload(this.#target, await this.#uploadId, parts);
    return this.#size;
  }

  /** Lets the parts in flight settle and aborts the multipart upload, if one was created. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.#inFlight);
    const uploadId = await this.#uploadId?.catch(() => undefined);
    if (uploadId === undefined) return;
    const { client, bucket, key, owner } = this.#target;
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...owner }))
      .catch(() => undefined); // The upload failed already; a failing abort must not hide why.
  }

  async #startPart(): Promise<void> {
    const partNumber = this.#nextPartNumber++;
    if (partNumber > MAX_PARTS) {
      throw new Error(`more than ${MAX_PARTS} parts of ${this.#target.partSize} bytes: raise the part size`);
    }
    this.#uploadId ??= createUpload(this.#target);
    const uploadId = this.#uploadId;
    const chunks = this.#pending;
    const length = this.#pendingLength;
    this.#pending = [];
    this.#pendingLength = 0;
    const part = uploadId
      .then((id) => uploadPart(this.#target, id, partNumber, chunks, length))
      .then(
        (uploaded) => {
          this.#parts.push(uploaded);
        },
        (error: unknown) => {
          this.#failure ??= { error };
        },
      );
    const tracked = part.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
    while (this.#inFlight.size >= this.#target.queueSize && this.#failure === undefined) {
      await Promise.race(this.#inFlight);
    }
  }
}

/** Creates the multipart upload; its id. */
async function createUpload(target: StreamedUploadTarget): Promise<string> {
  const { client, bucket, key, sse, owner } = target;
  const answer = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ChecksumAlgorithm: 'CRC32',
      ...sse,
      ...owner,
    }),
  );
  if (answer.UploadId === undefined) throw new Error('S3 answered CreateMultipartUpload without an UploadId');
  return answer.UploadId;
}

/** Sends one part, the chunks as they are, with their CRC-32. */
async function uploadPart(
  target: StreamedUploadTarget,
  uploadId: string,
  partNumber: number,
  chunks: readonly Uint8Array[],
  length: number,
): Promise<UploadedPart> {
  const { client, bucket, key, owner } = target;
  const checksum = crc32Base64(chunks);
  const command = new UploadPartCommand({
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    PartNumber: partNumber,
    // The chunks are attached to each attempt (see withChunksAsBody): the SDK retries no request
    // whose body is a stream (it could not send it again), and these it can.
    Body: NO_BODY_YET,
    ContentLength: length,
    ChecksumCRC32: checksum,
    ...owner,
  });
  const result = await client.send(withChunksAsBody(command, chunks));
  if (result.ETag === undefined) throw new Error(`S3 answered part ${partNumber} without an ETag`);
  return { PartNumber: partNumber, ETag: result.ETag, ChecksumCRC32: checksum };
}

/**
 * `command`, signed without hashing its body (S3 verifies the part's CRC-32 instead), as the SDK
 * signs a stream, and sent with `chunks` as its body, a fresh stream of them on every attempt.
 */
function withChunksAsBody(command: UploadPartCommand, chunks: readonly Uint8Array[]): UploadPartCommand {
  command.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] =
        'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'statebackendUnsignedPart' },
  );
  command.middlewareStack.add(
    (next) => (args) => {
      (args.request as { body?: unknown }).body = Readable.from(chunks, { objectMode: false });
      return next(args);
    },
    { step: 'deserialize', name: 'statebackendPartBodyPerAttempt' },
  );
  return command;
}

/** A file smaller than one part: one `PutObject`. */
async function putWhole(
  target: StreamedUploadTarget,
  chunks: readonly Uint8Array[],
  length: number,
): Promise<void> {
  const { client, bucket, key, sse, owner } = target;
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: Buffer.concat(chunks),
      ContentLength: length,
      ...sse,
      ...owner,
    }),
  );
}

async function completeUpload(
  target: StreamedUploadTarget,
  uploadId: string,
  parts: readonly UploadedPart[],
): Promise<void> {
  const { client, bucket, key, owner } = target;
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: [...parts] },
      ...owner,
    }),
  );
}

/** The part's CRC-32, from the checksums its chunks carry where they do (see `ChecksummedChunk`). */
function crc32Base64(chunks: readonly Uint8Array[]): string {
  let crc = 0;
  for (const chunk of chunks) {
    const known = knownCrc32(chunk);
    crc = known === undefined ? crc32(chunk, crc) : crc32Combine(crc, known, chunk.length);
  }
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc);
  return bytes.toString('base64');
}
