import { randomBytes } from 'node:crypto';
import { TestkitError } from '../errors.js';

// jest gives every test file a fresh module registry, so this token differs per test file and
// per run; outside jest it differs per process.
const token = randomBytes(4).toString('hex');
let sequence = 0;

const PREFIX = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const MAX_PREFIX = 40;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

/**
 * A name no other test file, test or run uses: `<prefix>-<8 hex digits>-<sequence>`, e.g.
 * `orders-3f9a1c07-1`. It is a valid S3 bucket name (at most 63 characters of lower-case
 * letters, digits and hyphens), DynamoDB table name and CloudWatch namespace, so one helper
 * serves every resource a test creates.
 *
 * @param prefix lower-case letters, digits and inner hyphens, at most 40 characters, naming
 *   what the resource is for.
 * @throws TestkitError for a prefix that would make an invalid name.
 */
export function uniqueName(prefix: string): string {
  if (!PREFIX.test(prefix) || prefix.length > MAX_PREFIX) {
    throw new TestkitError(
      `uniqueName prefix '${prefix}' is invalid; use 1 to ${MAX_PREFIX} lower-case letters, digits and inner ` +
        'hyphens (S3 bucket names allow nothing else).',
    );
  }
  const reserved = RESERVED_PREFIXES.find((r) => prefix.startsWith(r));
  if (reserved !== undefined) {
    throw new TestkitError(`uniqueName prefix '${prefix}' starts with '${reserved}', which S3 reserves.`);
  }
  sequence += 1;
  return `${prefix}-${token}-${sequence}`;
}
