import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { TestkitError } from '../errors.js';

function isMissingBucket(error: unknown): boolean {
  return error instanceof S3ServiceException && error.name === 'NoSuchBucket';
}

async function abortUploads(client: S3Client, bucket: string): Promise<void> {
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  do {
    const page = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }),
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined) continue;
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
    }
    ({ NextKeyMarker: KeyMarker, NextUploadIdMarker: UploadIdMarker } = page);
    if (page.IsTruncated !== true) break;
  } while (KeyMarker !== undefined);
}

async function deleteEveryVersion(client: S3Client, bucket: string): Promise<void> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }),
    );
    const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].flatMap(
      (v) =>
        v.Key === undefined
          ? []
          : [v.VersionId === undefined ? { Key: v.Key } : { Key: v.Key, VersionId: v.VersionId }],
    );
    if (objects.length > 0) {
      const result = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new TestkitError(
          `S3 refused to delete ${failed.length} object(s) of ${bucket}, e.g. ${first?.Key}: ${first?.Message}`,
        );
      }
    }
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
    if (page.IsTruncated !== true) break;
  } while (KeyMarker !== undefined);
}

/**
 * Empties an S3 bucket (every object version, delete marker and unfinished multipart upload)
 * and deletes it. A bucket that does not exist is not an error.
 */
export async function deleteBucketIfExists(client: S3Client, bucket: string): Promise<void> {
  try {
    await abortUploads(client, bucket);
    await deleteEveryVersion(client, bucket);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (isMissingBucket(error)) return;
    throw error;
  }
}
