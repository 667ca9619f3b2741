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
    expect(tracker.versionsPerItem).toBe(3);
  });

  it('completion by notice keeps the newest waiting one beside the complete ones; a newer commit subsumes it', () => {
    const tracker = new CheckpointTracker('notify', 1);
    tracker.onCommitted(1, 10);
    tracker.confirm(1);
    expect(tracker.onCommitted(2, 20)).toEqual([]);
    expect(tracker.restorableIds()).toEqual([1, 2]);
    // Three waiting would need four versions per item: 2 stops being restorable instead.
    expect(tracker.onCommitted(3, 30)).toEqual([2]);
    expect(tracker.restorableIds()).toEqual([1, 3]);
    expect(tracker.cutoffs()).toEqual([10, 30]);
    expect(tracker.versionsPerItem).toBe(3);
    expect(tracker.restorableAfterCommit(4)).toEqual([1, 4]);
    expect(tracker.abort(2)).toBe(false);
    expect(tracker.isPending(3)).toBe(true);
    expect(tracker.confirm(3)).toBe(true);
    expect(tracker.restorableIds()).toEqual([3]);
    expect(tracker.oldestRestorable()).toBe(3);
    expect(tracker.confirm(3)).toBe(false);
    tracker.onCommitted(4, 40);
    expect(tracker.abort(4)).toBe(true);
    expect(tracker.restorableIds()).toEqual([3]);
  });

  it('a writer of some key groups in commit mode waits for every key group before a commit is complete', () => {
    const tracker = new CheckpointTracker('commit', 1, false);
    tracker.onCommitted(1, 10);
    expect(tracker.pendingIds()).toEqual([1]);
    expect(tracker.oldestRestorable()).toBeUndefined();
    tracker.confirm(1);
    tracker.onCommitted(2, 20);
    expect(tracker.restorableIds()).toEqual([1, 2]);
    expect(tracker.versionsPerItem).toBe(3);
  });

  it('a restored writer counts the restored checkpoints in its retention, with no version of its own for them', () => {
    const tracker = new CheckpointTracker('commit', 3, true, [1, 2, 3]);
    expect(tracker.restorableIds()).toEqual([1, 2, 3]);
    expect(tracker.cutoffs()).toEqual([0, 0, 0]);
    tracker.onCommitted(4, 5);
    expect(tracker.restorableIds()).toEqual([2, 3, 4]);
    expect(tracker.oldestRestorable()).toBe(2);
  });

  it('a commit record written now names what stays restorable after it', () => {
    const tracker = new CheckpointTracker('commit', 1);
    tracker.onCommitted(1, 10);
    expect(tracker.restorableAfterCommit(2)).toEqual([2]);
    expect(tracker.restorableIds()).toEqual([1]);
  });

  it('a writer that keeps history lists the earlier checkpoints it keeps as restorable, without versions for them', () => {
    const tracker = new CheckpointTracker('commit', 1, true, [], [3, 4]);
    expect(tracker.restorableAfterCommit(5)).toEqual([3, 4, 5]);
    tracker.onCommitted(5, 10);
    tracker.onCommitted(6, 20);
    expect(tracker.restorableIds()).toEqual([3, 4, 6]);
    expect(tracker.cutoffs()).toEqual([20]);
    expect(tracker.versionsPerItem).toBe(2);
  });
});
