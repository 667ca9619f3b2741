import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedLocationError } from '../errors.js';

/** Where checkpoints of a job live, as given on the command line. */
export type Location =
  | { readonly kind: 'local'; readonly directory: string; readonly text: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly text: string }
  | { readonly kind: 'dynamodb'; readonly table: string; readonly text: string };

/** The job and operator whose checkpoints a command reads: one directory level each under a location. */
export interface JobScope {
  readonly jobId: string;
  readonly operatorId: string;
}

/** A job (its job and operator) that keeps something at a location. */
export interface JobAtLocation {
  /** `jobId/operatorId`. */
  readonly name: string;
  /** It committed a checkpoint there; else it only claimed key groups (it ran, and never checkpointed). */
  readonly checkpointed: boolean;
}

/**
 * Parses a location: a local directory (a path or `file://` URL), `s3://bucket/prefix` or
 * `dynamodb://table`. Anything else with a scheme is an {@link UnsupportedLocationError}.
 */
export function parseLocation(text: string, cwd: string): Location {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  // `s3:/bucket`, `s3:bucket`: a scheme without `//` is a typo, never a directory named after it
  // (one letter before the colon is a Windows drive).
  const malformed = /^([a-z][a-z0-9+.-]+):(?!\/\/)/i.exec(text)?.[1];
  if (scheme === undefined && malformed !== undefined) {
    throw new UnsupportedLocationError(
      text,
      `'${malformed}:' is not followed by '//'; write ${malformed.toLowerCase()}://..., or ./${text} for a directory of that name`,
    );
  }
  if (scheme === undefined) {
    return { kind: 'local', directory: isAbsolute(text) ? text : resolve(cwd, text), text };
  }
  if (scheme === 'file') return { kind: 'local', directory: fileURLToPath(text), text };
  const rest = text.slice(scheme.length + 3);
  if (scheme === 's3') {
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (bucket === '') throw new UnsupportedLocationError(text, 'an S3 location is s3://<bucket>[/<prefix>]');
    return { kind: 's3', bucket, prefix, text };
  }
  if (scheme === 'dynamodb') {
    if (rest === '' || rest.includes('/')) {
      throw new UnsupportedLocationError(text, 'a DynamoDB location is dynamodb://<table>');
    }
    return { kind: 'dynamodb', table: rest, text };
  }
  throw new UnsupportedLocationError(
    text,
    `unknown scheme '${scheme}://'; use a local directory, s3://<bucket>[/<prefix>] or dynamodb://<table>`,
  );
}
