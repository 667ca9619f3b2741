import { KeyOrderedExecutor } from '../../../src/backend/key-ordered-executor.js';

/** A promise with its resolve function, to finish a task when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('KeyOrderedExecutor', () => {
  it('starts a task of another key while one runs, in the same key group or another', async () => {
    const executor = new KeyOrderedExecutor(0, 4);
    const events: string[] = [];
    const a = gate();
    const first = executor.run(
      'a',
      0,
      async () => {
        events.push('a start');
        await a.promise;
        events.push('a end');
      },
      undefined,
    );
    const sameGroup = executor.run(
      'b',
      0,
      async () => {
        events.push('b');
      },
      undefined,
    );
    const otherGroup = executor.run(
      'c',
      3,
      async () => {
        events.push('c');
      },
      undefined,
    );
    await Promise.all([sameGroup, otherGroup]);
    expect(events).toEqual(['a start', 'b', 'c']);
    expect(executor.running).toBe(1);
    a.open();
    await first;
    expect(executor.running).toBe(0);
  });

  it('runs tasks of one key one after another, in call order, whichever path started the first', async () => {
    const executor = new KeyOrderedExecutor(10, 2);
    const events: string[] = [];
    const blocker = gate();
    // 'x' starts on the fast path (idle key group), 'y' on the slow path (busy key group).
    const x1 = executor.run(
      'x',
      10,
      async () => {
        events.push('x1 start');
        await blocker.promise;
        events.push('x1 end');
      },
      undefined,
    );
    const y1 = executor.run(
      'y',
      10,
      async () => {
        events.push('y1 start');
        await blocker.promise;
        events.push('y1 end');
      },
      undefined,
    );
    const x2 = executor.run(
      'x',
      10,
      () => {
        events.push('x2');
      },
      undefined,
    );
    const y2 = executor.run(
      'y',
      10,
      () => {
        events.push('y2');
      },
      undefined,
    );
    await Promise.resolve();
    expect(events).toEqual(['x1 start', 'y1 start']);
    blocker.open();
    await Promise.all([x1, y1, x2, y2]);
    expect(events.indexOf('x2')).toBeGreaterThan(events.indexOf('x1 end'));
    expect(events.indexOf('y2')).toBeGreaterThan(events.indexOf('y1 end'));
    expect(executor.running).toBe(0);
  });

  it('passes results and errors through, and a failure does not block the key', async () => {
    const executor = new KeyOrderedExecutor(0, 1);
    const failing = executor.run(
      'k',
      0,
      () => {
        throw new Error('sync failure');
      },
      undefined,
    );
    const rejecting = executor.run(
      'k',
      0,
      async () => {
        throw new Error('async failure');
      },
      undefined,
    );
    const next = executor.run('k', 0, (n: number) => n * 2, 21);
    await expect(failing).rejects.toThrow('sync failure');
    await expect(rejecting).rejects.toThrow('async failure');
    await expect(next).resolves.toBe(42);
    expect(executor.running).toBe(0);
  });

  it('drains a long queue of synchronous tasks of one key without growing the stack', async () => {
    const executor = new KeyOrderedExecutor(0, 1);
    const order: number[] = [];
    const runs = Array.from({ length: 20_000 }, (_, i) =>
      executor.run('k', 0, () => order.push(i), undefined),
    );
    await Promise.all(runs);
    expect(order).toHaveLength(20_000);
    expect(order.every((value, index) => value === index)).toBe(true);
  });

  it('keeps the key until a task returning another thenable settles, and frees it when its caller resumes', async () => {
    const executor = new KeyOrderedExecutor(0, 1);
    const order: string[] = [];
    const first = gate();
    const thenable: PromiseLike<string> = {
      // biome-ignore lint/suspicious/noThenProperty: a non-native thenable on purpose
      then: (resolve, reject) => first.promise.then(() => 'first').then(resolve, reject),
    };
    // Typed as a promise; at run time a plain thenable, as untyped callers may return.
    const a = executor.run('k', 0, () => thenable as unknown as Promise<string>, undefined);
    const b = executor.run('k', 0, () => order.push('second'), undefined);
    await Promise.resolve();
    expect(order).toEqual([]);
    first.open();
    await expect(a).resolves.toBe('first');
    expect(a).toBeInstanceOf(Promise);
    await b;
    expect(order).toEqual(['second']);
    // A native promise's caller resumes with the key already free.
    const c = executor.run('k', 0, async () => 'c', undefined);
    await c;
    expect(executor.running).toBe(0);
  });
});
