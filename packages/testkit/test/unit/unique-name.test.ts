import { TestkitError, uniqueName } from '../../src/index.js';

const S3_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const DYNAMODB_TABLE = /^[a-zA-Z0-9_.-]{3,255}$/;

describe('uniqueName', () => {
  it('gives a different name on every call, all valid S3 bucket and DynamoDB table names', () => {
    const names = Array.from({ length: 50 }, () => uniqueName('orders'));
    expect(new Set(names).size).toBe(50);
    for (const name of names) {
      expect(name).toMatch(/^orders-[0-9a-f]{8}-\d+$/);
      expect(name).toMatch(S3_BUCKET);
      expect(name).toMatch(DYNAMODB_TABLE);
    }
  });

  it('stays within the 63 characters of a bucket name for the longest prefix', () => {
    const name = uniqueName('a'.repeat(40));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(S3_BUCKET);
  });

  it('differs between test files: each file gets a fresh module instance, and with it a fresh token', async () => {
    let other = '';
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../src/isolation/unique-name.js');
      other = fresh.uniqueName('orders');
    });
    const token = (name: string) => name.split('-')[1];
    expect(token(other)).toMatch(/^[0-9a-f]{8}$/);
    expect(token(other)).not.toBe(token(uniqueName('orders')));
  });

  it.each([
    ['upper case', 'Orders'],
    ['an underscore', 'my_table'],
    ['a leading hyphen', '-orders'],
    ['a trailing hyphen', 'orders-'],
    ['nothing', ''],
    ['more than 40 characters', 'a'.repeat(41)],
    ["S3's reserved xn-- prefix", 'xn--orders'],
  ])('rejects a prefix with %s', (_case, prefix) => {
    expect(() => uniqueName(prefix)).toThrow(TestkitError);
  });
});
