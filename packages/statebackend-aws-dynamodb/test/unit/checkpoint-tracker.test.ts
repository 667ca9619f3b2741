import { CheckpointTracker } from '../../src/store/checkpoint-tracker.js';

describe('which checkpoints stay restorable', () => {
  it('completion at commit keeps the last `retained` ones', () => {
    const tracker = new CheckpointTracker('commit', 2);
    tracker.onCommitted(1, 10);
    expect(tracker.oldestRestorable()).toBeUndefined();
    tracker.onCommitted(2, 20);
    tracker.onCommitted(3, 30);
    expect(tracker.restorableIds()).toEqual([2, 3]);
    expect(tracker.cutoffs()).toEqual([20, 30]);
    expect(tracker.oldestRestorable()).toBe(2);
  });

  it('completion by notice keeps pending ones beside the complete one until they complete or abort', () => {
    const tracker = new CheckpointTracker('notify', 1);
    tracker.onCommitted(1, 10);
    tracker.confirm(1);
    tracker.onCommitted(2, 20);
    tracker.onCommitted(3, 30);
    expect(tracker.restorableIds()).toEqual([1, 2, 3]);
    expect(tracker.restorableAfterCommit(4)).toEqual([1, 2, 3, 4]);
    expect(tracker.abort(2)).toBe(true);
    expect(tracker.abort(2)).toBe(false);
    expect(tracker.isPending(3)).toBe(true);
    // Completing 3 completes everything committed before it, and only 3 stays retained.
    expect(tracker.confirm(3)).toBe(true);
    expect(tracker.restorableIds()).toEqual([3]);
    expect(tracker.oldestRestorable()).toBe(3);
    expect(tracker.confirm(3)).toBe(false);
  });

  it('a commit record written now names what stays restorable after it', () => {
    const tracker = new CheckpointTracker('commit', 1);
    tracker.onCommitted(1, 10);
    expect(tracker.restorableAfterCommit(2)).toEqual([2]);
    expect(tracker.restorableIds()).toEqual([1]);
  });
});
