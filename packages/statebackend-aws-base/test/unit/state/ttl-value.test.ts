import { ttlValue } from '../../../src/spi.js';
import { isExpired } from '../../../src/state/ttl/ttl-value.js';

describe('isExpired', () => {
  it('expires a value at last access + ttl, not before', () => {
    const value = ttlValue('v', 1_000);
    expect(isExpired(value, 100, 1_099)).toBe(false);
    expect(isExpired(value, 100, 1_100)).toBe(true);
    expect(isExpired(value, 100, 5_000)).toBe(true);
  });
});
