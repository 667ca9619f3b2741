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
import { crc32, crc32Combine, knownCrc32 } from '@statebackend/aws-base';

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
  const { client, bucket, key, partSize, queueSize, sse, owner } = target;
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let size = 0;
  let created: Promise<string> | undefined;
  let nextPartNumber = 1;
  const inFlight = new Set<Promise<void>>();
  const parts: { PartNumber: number; ETag: string; ChecksumCRC32: string }[] = [];
  let failure: { error: unknown } | undefined;

  const uploadPart = async (partNumber: number, chunks: readonly Uint8Array[], length: number) => {
    const uploadId = await (created as Promise<string>);
    const checksum = crc32Base64(chunks);
    const command = new UploadPartCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      // The chunks are attached to each attempt, below: the SDK retries no request whose body is
      // a stream (it could not send it again), and these it can.
      Body: NO_BODY_YET,
      ContentLength: length,
      ChecksumCRC32: checksum,
      ...owner,
    });
    command.middlewareStack.add(
      (next) => (args) => {
        // Signed without hashing the part (S3 verifies its CRC-32 instead), as the SDK signs a stream.
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
    const result = await client.send(command);
    if (result.ETag === undefined) throw new Error(`S3 answered part ${partNumber} without an ETag`);
    parts.push({ PartNumber: partNumber, ETag: result.ETag, ChecksumCRC32: checksum });
  };

  const startPart = async (): Promise<void> => {
    const partNumber = nextPartNumber++;
    if (partNumber > MAX_PARTS) {
      throw new Error(`more than ${MAX_PARTS} parts of ${partSize} bytes: raise the part size`);
    }
    created ??= client
      .send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ChecksumAlgorithm: 'CRC32',
          ...sse,
          ...owner,
        }),
      )
      .then((answer) => {
        if (answer.UploadId === undefined)
          throw new Error('S3 answered CreateMultipartUpload without an UploadId');
        return answer.UploadId;
      });
    const part = uploadPart(partNumber, pending, pendingLength).catch((error: unknown) => {
      failure ??= { error };
    });
    pending = [];
    pendingLength = 0;
    const tracked = part.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    while (inFlight.size >= queueSize && failure === undefined) await Promise.race(inFlight);
  };

  try {
    for await (const chunk of content) {
      if (failure !== undefined) break;
      if (chunk.length === 0) continue;
      pending.push(chunk);
      pendingLength += chunk.length;
      size += chunk.length;
      if (pendingLength >= partSize) await startPart();
    }
    if (created === undefined) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: Buffer.concat(pending),
          ContentLength: pendingLength,
          ...sse,
          ...owner,
        }),
      );
      return size;
    }
    if (pendingLength > 0 && failure === undefined) await startPart();
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: await created,
        MultipartUpload: { Parts: parts },
        ...owner,
      }),
    );
    return size;
  } catch (error) {
    await Promise.allSettled(inFlight);
    const uploadId = await created?.catch(() => undefined);
    if (uploadId !== undefined) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...owner }))
        .catch(() => undefined); // The upload failed already; a failing abort must not hide why.
    }
    throw error;
  }
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
