import { Cleanup, CleanupError } from '../../src/index.js';

describe('Cleanup', () => {
  it('runs actions newest first, so a resource goes before the client that removes it', async () => {
    const order: string[] = [];
    const cleanup = new Cleanup();
    cleanup.add('client', () => order.push('client'));
    cleanup.add('table', async () => {
      order.push('table');
    });
    await cleanup.run();
    expect(order).toEqual(['table', 'client']);
    expect(cleanup.size).toBe(0);
  });

  it('runs every action even when some fail, then reports each failure by name', async () => {
    const ran: string[] = [];
    const cleanup = new Cleanup();
    cleanup.add('bucket a', () => ran.push('a'));
    cleanup.add('table b', () => {
      throw new Error('AccessDenied');
    });
    cleanup.add('bucket c', async () => {
      ran.push('c');
      throw new Error('BucketNotEmpty');
    });

    const error = await cleanup.run().catch((e: unknown) => e);

    expect(ran).toEqual(['c', 'a']);
    expect(error).toBeInstanceOf(CleanupError);
    expect((error as CleanupError).failures.map((f) => f.description)).toEqual(['bucket c', 'table b']);
    expect((error as CleanupError).message).toContain('- bucket c: BucketNotEmpty');
    expect((error as CleanupError).message).toContain('- table b: AccessDenied');
  });

  it('forgets what it ran: a second run does nothing', async () => {
    let runs = 0;
    const cleanup = new Cleanup();
    cleanup.add('counter', () => {
      runs += 1;
    });
    await cleanup.run();
    await cleanup.run();
    expect(runs).toBe(1);
  });
});
