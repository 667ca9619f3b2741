import { InvalidTtlError, StateTtlConfig, StateVisibility, UpdateType } from '../../../src/index.js';

describe('StateTtlConfig', () => {
  it("defaults to Flink's: OnCreateAndWrite, NeverReturnExpired, no cleanup strategy", () => {
    const ttl = StateTtlConfig.newBuilder(60_000).build();
    expect(ttl).toMatchObject({
      ttl: 60_000,
      updateType: UpdateType.OnCreateAndWrite,
      stateVisibility: StateVisibility.NeverReturnExpired,
      cleanupFullSnapshot: false,
      incrementalCleanup: undefined,
      refreshOnRead: false,
      returnExpired: false,
    });
    expect(Object.isFrozen(ttl)).toBe(true);
  });

  it('takes every setting from the builder', () => {
    const ttl = StateTtlConfig.newBuilder(1)
      .setTtl(5_000)
      .setUpdateType(UpdateType.OnReadAndWrite)
      .setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp)
      .cleanupFullSnapshot()
      .cleanupIncrementally(10, true)
      .build();
    expect(ttl).toMatchObject({
      ttl: 5_000,
      refreshOnRead: true,
      returnExpired: true,
      cleanupFullSnapshot: true,
      incrementalCleanup: { cleanupSize: 10, runCleanupForEveryRecord: true },
    });
    expect(ttl.toString()).toBe(
      'StateTtlConfig(ttl 5000 ms, OnReadAndWrite, ReturnExpiredIfNotCleanedUp, cleanup: full snapshot, incremental 10)',
    );
  });

  it.each([0, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects a TTL of %p with InvalidTtlError',
    (ttl) => {
      expect(() => StateTtlConfig.newBuilder(ttl)).toThrow(InvalidTtlError);
      expect(() => StateTtlConfig.newBuilder(1).setTtl(ttl)).toThrow(InvalidTtlError);
    },
  );

  it('says what was received and what is accepted', () => {
    expect(() => StateTtlConfig.newBuilder(0)).toThrow(
      'Invalid state TTL ttl: received 0; expected a finite number of milliseconds > 0 (to keep values forever, do not enable TTL).',
    );
    try {
      StateTtlConfig.newBuilder(-5);
    } catch (error) {
      expect(error).toMatchObject({
        name: 'InvalidTtlError',
        setting: 'ttl',
        received: '-5',
        isRetryable: false,
      });
    }
  });

  it('rejects an incremental cleanup size below 1 and unknown enum values', () => {
    const builder = StateTtlConfig.newBuilder(1_000);
    expect(() => builder.cleanupIncrementally(0, false)).toThrow(InvalidTtlError);
    expect(() => builder.cleanupIncrementally(1.5, false)).toThrow(InvalidTtlError);
    expect(() => builder.setUpdateType('OnRead' as UpdateType)).toThrow(/OnCreateAndWrite or OnReadAndWrite/);
    expect(() => builder.setStateVisibility('Always' as StateVisibility)).toThrow(InvalidTtlError);
  });

  it('a later change to the builder does not change a config already built', () => {
    const builder = StateTtlConfig.newBuilder(1_000);
    const first = builder.build();
    builder.setTtl(2_000);
    expect(first.ttl).toBe(1_000);
    expect(builder.build().ttl).toBe(2_000);
  });

  it('equals() compares every setting', () => {
    const a = StateTtlConfig.newBuilder(1_000).cleanupIncrementally(5, false).build();
    expect(a.equals(StateTtlConfig.newBuilder(1_000).cleanupIncrementally(5, false).build())).toBe(true);
    expect(a.equals(StateTtlConfig.newBuilder(1_000).cleanupIncrementally(6, false).build())).toBe(false);
    expect(a.equals(StateTtlConfig.newBuilder(1_001).cleanupIncrementally(5, false).build())).toBe(false);
    expect(a.equals(undefined)).toBe(false);
  });
});
