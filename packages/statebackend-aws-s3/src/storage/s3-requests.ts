import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StateBackendError } from '@statebackend/aws-base';
import type { FileContent } from '@statebackend/aws-base/spi';
import { S3RequestError } from '../errors.js';
import type { S3StorageMetrics } from '../metrics/s3-storage-metrics.js';
import { isPreconditionFailed, toStorageError } from './s3-error.js';
import { countingClient, encryptionParams, ownerParams, type S3Encryption } from './s3-request-params.js';
import { uploadStreamed } from './s3-streamed-upload.js';

/** What every request of one storage carries. */
export interface S3RequestSettings {
  readonly client: S3Client;
  readonly bucket: string;
  readonly encryption: S3Encryption | undefined;
  readonly expectedBucketOwner: string | undefined;
  readonly partSize: number;
  readonly queueSize: number;
  readonly metrics: S3StorageMetrics;
}

/** One listed object. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: number;
}

const DELETE_BATCH = 1000;

/**
 * The S3 requests of the checkpoint storage, each with the bucket owner check and encryption
 * settings applied, counted in the metrics, and failing with a typed error. The SDK's own retry
 * strategy (jittered backoff on throttling, 5xx and network errors) runs below this.
 */
export class S3Requests {
  readonly #settings: S3RequestSettings;
  readonly #owner: { ExpectedBucketOwner?: string };
  readonly #sse: { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string };
  /** The client as lib-storage sees it: every request it sends is counted too. */
  readonly #countingClient: S3Client;

  constructor(settings: S3RequestSettings) {
    this.#settings = settings;
    this.#owner = ownerParams(settings.expectedBucketOwner);
    this.#sse = encryptionParams(settings.encryption);
    this.#countingClient = countingClient(settings.client, settings.metrics);
  }

  get bucket(): string {
    return this.#settings.bucket;
  }

  async #send<T>(describe: string, location: string, run: () => Promise<T>): Promise<T> {
    const { metrics } = this.#settings;
    try {
      const result = await run();
      metrics.recordAttempts(result);
      return result;
    } catch (error) {
      metrics.recordAttempts(error);
      metrics.failedRequests.inc();
      throw toStorageError(describe, location, error);
    }
  }

  /** A small object in one PutObject; `ifNoneMatch` makes it fail with 412 when the key exists. */
  async put(
    key: string,
    body: Uint8Array,
    location: string,
    options: { ifNoneMatch?: boolean } = {},
  ): Promise<void> {
    const { client, bucket, metrics } = this.#settings;
    await this.#send('write', location, () =>
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ...(options.ifNoneMatch === true ? { IfNoneMatch: '*' } : {}),
          ...this.#sse,
          ...this.#owner,
        }),
      ),
    );
    metrics.bytesUploaded.inc(body.length);
    metrics.filesUploaded.inc();
  }

  /**
   * Creates `key` with `body` unless it exists (`If-None-Match: *`). `'exists'` when another
   * object is there. When the object there has exactly `body`, it is this very write: an attempt
   * whose answer was lost and that the SDK repeated (the repeat gets 412). Then `'created'`.
   */
  async putIfAbsent(key: string, body: Uint8Array, location: string): Promise<'created' | 'exists'> {
    try {
      await this.put(key, body, location, { ifNoneMatch: true });
      return 'created';
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
    const stored = await this.get(key, location).catch((error: unknown) => {
      if (error instanceof S3RequestError && error.notFound) return undefined;
      throw error;
    });
    return stored !== undefined && Buffer.from(stored).equals(body) ? 'created' : 'exists';
  }

  /**
   * Writes `content` to `key`: one PutObject below the part size, a multipart upload in parallel
   * parts above it. A buffer goes through lib-storage's `Upload`, which slices it into parts; a
   * stream of chunks (a data file being encoded) through `uploadStreamed`, which sends the chunks
   * as they are, without copying them into parts. A failed multipart upload is aborted, so no
   * parts are left behind to be billed. Returns the bytes written.
   */
  async upload(key: string, content: FileContent, location: string): Promise<number> {
    const { bucket, partSize, queueSize, metrics } = this.#settings;
    let written: number;
    try {
      if (content instanceof Uint8Array) {
        await new Upload({
          client: this.#countingClient,
          params: { Bucket: bucket, Key: key, Body: content, ...this.#sse, ...this.#owner },
          partSize,
          queueSize,
          leavePartsOnError: false,
        }).done();
        written = content.length;
      } else {
        const target = { client: this.#countingClient, bucket, key, partSize, queueSize };
        written = await uploadStreamed({ ...target, sse: this.#sse, owner: this.#owner }, content);
      }
    } catch (error) {
      metrics.failedRequests.inc();
      await this.#abortUploadsOf(key);
      // The content itself failed (a snapshot aborted while encoding): that error, not a request's.
      if (error instanceof StateBackendError && !(error instanceof S3RequestError)) throw error;
      throw toStorageError('upload', location, error);
    }
    metrics.bytesUploaded.inc(written);
    metrics.filesUploaded.inc();
    return written;
  }

  /**
   * Aborts multipart uploads still open on `key`. lib-storage aborts its upload on failure, but
   * a rejected `done()` may return before that abort was sent; this makes sure, best effort.
   */
  async #abortUploadsOf(key: string): Promise<void> {
    const { client, bucket } = this.#settings;
    try {
      const listed = await client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, ...this.#owner }),
      );
      for (const upload of listed.Uploads ?? []) {
        if (upload.Key !== key || upload.UploadId === undefined) continue;
        await client.send(
          new AbortMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: upload.UploadId,
            ...this.#owner,
          }),
        );
      }
    } catch {
      // The upload failed already; a failing clean-up must not hide why.
    }
  }

  /** Open multipart uploads below `prefix`: their keys and upload ids, page by page. */
  async *listUploads(prefix: string, location: string): AsyncGenerator<{ key: string; uploadId: string }> {
    const { client, bucket } = this.#settings;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.#send('list the multipart uploads of', location, () =>
        client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: prefix,
            ...(KeyMarker === undefined ? {} : { KeyMarker }),
            ...(UploadIdMarker === undefined ? {} : { UploadIdMarker }),
            ...this.#owner,
          }),
        ),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key !== undefined && upload.UploadId !== undefined)
          yield { key: upload.Key, uploadId: upload.UploadId };
      }
      if (page.IsTruncated !== true) return;
      KeyMarker = page.NextKeyMarker;
      UploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /** Aborts one multipart upload: its parts are discarded. */
  async abortUpload(key: string, uploadId: string, location: string): Promise<void> {
    const { client, bucket } = this.#settings;
    await this.#send('abort a multipart upload of', location, () =>
      client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...this.#owner }),
      ),
    );
  }

  /**
   * The object's bytes, or `length` bytes from `offset`; an offset past the end reads nothing.
   * `protocol: true` for a small object of the fencing protocol (a cut), not counted as a file
   * downloaded.
   */
  async get(
    key: string,
    location: string,
    range?: { offset: number; length: number },
    options: { protocol?: boolean } = {},
  ): Promise<Uint8Array> {
    const { client, bucket, metrics } = this.#settings;
    if (range !== undefined && range.length <= 0) return new Uint8Array(0);
    const Range =
      range === undefined ? undefined : `bytes=${range.offset}-${range.offset + range.length - 1}`;
    let bytes: Uint8Array;
    try {
      const read = await this.#send('read', location, async () => {
        const response = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(Range === undefined ? {} : { Range }),
            ...this.#owner,
          }),
        );
        const data = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
        return { data, $metadata: response.$metadata };
      });
      bytes = read.data;
    } catch (error) {
      // 416: the range starts at or after the end of the object. The SPI reads fewer bytes then.
      if (range !== undefined && error instanceof S3RequestError && error.statusCode === 416)
        return new Uint8Array(0);
      throw error;
    }
    if (options.protocol === true) return bytes;
    metrics.bytesDownloaded.inc(bytes.length);
    metrics.filesDownloaded.inc();
    return bytes;
  }

  /** Every object below `prefix`, page by page (ListObjectsV2 returns at most 1,000 a page). */
  async *list(prefix: string, location: string): AsyncGenerator<ListedObject> {
    const { client, bucket } = this.#settings;
    let token: string | undefined;
    do {
      const page = await this.#send('list', location, () =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
            ...this.#owner,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** Deletes keys with DeleteObjects, 1,000 a request; keys already gone count as deleted. */
  async deleteKeys(keys: readonly string[], location: string): Promise<void> {
    const { client, bucket } = this.#settings;
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await this.#send('delete', location, () =>
        client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            ...this.#owner,
          }),
        ),
      );
      const failed = (result.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      const first = failed[0];
      if (first !== undefined) {
        const cause = Object.assign(new Error(`${first.Code ?? 'Error'}: ${first.Message ?? ''}`), {
          name: first.Code ?? 'Error',
        });
        throw toStorageError(
          `delete ${failed.length} of ${batch.length} objects, e.g.`,
          `${location}/${first.Key ?? ''}`,
          cause,
        );
      }
    }
  }
}
