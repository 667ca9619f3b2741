import { S3Layout } from '../../src/index.js';

describe('S3Layout', () => {
  it('puts everything of an operator below <prefix>/<job>/<operator>/', () => {
    const layout = new S3Layout('flink/checkpoints/', 'orders', 'sum');

    expect(layout.baseKey).toBe('flink/checkpoints/orders/sum/');
    expect(layout.keyOf('chk-3/_metadata.kg-0-127.e1')).toBe(
      'flink/checkpoints/orders/sum/chk-3/_metadata.kg-0-127.e1',
    );
    expect(layout.pathOf('flink/checkpoints/orders/sum/shared/a.sbkg')).toBe('shared/a.sbkg');
    expect(layout.newDataPath('shared', 'a.sbkg')).toBe('shared/a.sbkg');
  });

  it('works without a prefix', () => {
    expect(new S3Layout('', 'orders', 'sum').baseKey).toBe('orders/sum/');
  });

  it('replaces the entropy marker in data-file keys and removes it from every other key', () => {
    const layout = new S3Layout('state/_entropy_/ckpt', 'orders', 'sum', { marker: '_entropy_', length: 4 });
    const path = layout.newDataPath('shared', 'kg-0-1.e1.c1.x.sbkg');
    const key = layout.keyOf(path);

    expect(layout.baseKey).toBe('state/ckpt/orders/sum/');
    expect(path).toMatch(/^~[a-z0-9]{4}\/shared\/kg-0-1\.e1\.c1\.x\.sbkg$/);
    expect(key).toMatch(/^state\/[a-z0-9]{4}\/ckpt\/orders\/sum\/shared\/kg-0-1\.e1\.c1\.x\.sbkg$/);
    expect(layout.pathOf(key)).toBe(path);
    expect(layout.keyOf('chk-1/_metadata.kg-0-1.e1')).toBe('state/ckpt/orders/sum/chk-1/_metadata.kg-0-1.e1');
    expect(layout.dataListPrefix).toBe('state/');
  });

  it('handles a marker at the end of the prefix', () => {
    const layout = new S3Layout('state/_entropy_', 'j', 'o', { marker: '_entropy_', length: 2 });
    const key = layout.keyOf('~ab/chk-1/f.sbkg');

    expect(key).toBe('state/ab/j/o/chk-1/f.sbkg');
    expect(layout.baseKey).toBe('state/j/o/');
    expect(layout.pathOf(key)).toBe('~ab/chk-1/f.sbkg');
  });

  it('ignores keys of other jobs found below the entropy root', () => {
    const layout = new S3Layout('state/_entropy_/ckpt', 'orders', 'sum', { marker: '_entropy_', length: 4 });

    expect(layout.pathOf('state/ab12/ckpt/payments/sum/shared/a.sbkg')).toBeUndefined();
    expect(layout.pathOf('elsewhere/a.sbkg')).toBeUndefined();
  });
});
