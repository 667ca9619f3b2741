import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import { foldOverlay, layeredEntries, type Overlay, TOMBSTONE } from './overlay.js';
import { PacedSweep } from './paced-sweep.js';
import { StateTableSnapshot } from './state-table-snapshot.js';

/** A mutable value kept in a table (a list or a map of a state), with the version it was made at. */
export interface VersionedContainer {
  readonly version: number;
}

/**
 * The in-memory state of one registered state: deserialized values by cell id, split per key
 * group so that a snapshot, a restore or a rescale handles key groups independently. The heap
 * backend keeps all its state in these tables and the S3 backend snapshots them whole; nothing
 * in a table depends on the backend, so a cache can be built on one too.
 *
 * Copy-on-write snapshots, per key group: every key-group map and every mutable container
 * carries the table version it was created at. `snapshot()` only captures the current key-group
 * maps and bumps the version, so its synchronous part is proportional to the number of key
 * groups, not of entries. A write after it finds the key group's base map held by a live
 * snapshot and goes to a small overlay map instead (a tombstone for a removal); reads look in
 * the overlay first. When the last snapshot holding the base is released, the overlay is folded
 * into it, in the background about a millisecond per turn of the event loop (a key group
 * written to first is folded then, at the cost of its own overlay). So a write during a snapshot costs one insertion, never a copy of its key group (which
 * was ~7,800 entries per first write at 1M cells and 128 key groups). A list or map changed in
 * place is still copied first when a live snapshot may hold it: the snapshot keeps the old one.
 * Stored values themselves are never changed in place; the handles copy values in and out.
 *
 * It also records which key groups changed since the previous snapshot, for incremental
 * checkpoints, and, once {@link trackChangedCells} was called, which cells (ids) of each key
 * group were written or removed: what a delta checkpoint writes.
 */
export class StateTable<V> {
  readonly keyGroupRange: KeyGroupRange;
  readonly #start: number;
  /** The base map of each key group (index = key group - first key group). */
  readonly #maps: Array<Map<string, V> | undefined>;
  /** The table version each key group's base map was created at: live snapshots from it on hold it. */
  readonly #mapVersions: Float64Array;
  /** Per key group, the writes since a live snapshot froze its base; undefined while the base is writable. */
  readonly #overlays: Array<Overlay<V> | undefined>;
  /** The table version each overlay was created (or copied) at, as for base maps. */
  readonly #overlayVersions: Float64Array;
  #overlayCount = 0;
  /**
   * Cells per key group (base and overlay together), exact unless the key group is stale: writes
   * to an overlay do not look up the frozen map to learn whether they add a cell (that lookup, a
   * cache miss in a large map, cost as much as the write itself); the count is made exact when the
   * overlay is folded back, or when asked for.
   */
  readonly #counts: Float64Array;
  readonly #stale: Uint8Array;
  #staleCount = 0;
  readonly #changed: Uint8Array;
  /** Per key group, the ids written or removed since the last snapshot; undefined when not tracked. */
  #changedCells: Array<Set<string> | undefined> | undefined;
  /** Snapshots not released yet, by version (one per version), with the key groups each let go of. */
  readonly #liveSnapshots = new Map<number, Uint8Array>();
  #version = 1;
  /**
   * Per key group, the version of the newest live snapshot still holding it (0 for none): base
   * maps, overlays and containers from that version down are frozen for it.
   */
  readonly #requiredVersions: Float64Array;
  #size = 0;
  /** Folds released overlays a little per turn of the event loop, not all at once in a release. */
  readonly #foldSweep: PacedSweep;

  constructor(keyGroupRange: KeyGroupRange) {
    this.keyGroupRange = keyGroupRange;
    this.#start = keyGroupRange.startKeyGroup;
    this.#maps = new Array<Map<string, V> | undefined>(keyGroupRange.size).fill(undefined);
    this.#mapVersions = new Float64Array(keyGroupRange.size);
    this.#overlays = new Array<Overlay<V> | undefined>(keyGroupRange.size).fill(undefined);
    this.#overlayVersions = new Float64Array(keyGroupRange.size);
    this.#counts = new Float64Array(keyGroupRange.size);
    this.#stale = new Uint8Array(keyGroupRange.size);
    this.#foldSweep = new PacedSweep(
      keyGroupRange.size,
      (index) => this.#foldIfFree(index),
      () => this.#overlayCount > 0,
    );
    this.#changed = new Uint8Array(keyGroupRange.size);
    this.#requiredVersions = new Float64Array(keyGroupRange.size);
  }

  /** Number of cells stored. */
  get size(): number {
    if (this.#staleCount > 0) this.#recountAll();
    return this.#size;
  }

  /** Whether no cell is stored; cheaper than {@link size} while a checkpoint runs. */
  get isEmpty(): boolean {
    // A stale key group has had writes since its last count: taken as not empty.
    return this.#staleCount === 0 && this.#size === 0;
  }

  /** The version new containers are created at. */
  get version(): number {
    return this.#version;
  }

  /** Number of snapshots taken and not released. */
  get liveSnapshots(): number {
    return this.#liveSnapshots.size;
  }

  /**
   * Records from now on which cells each write or removal touches, handed to the next snapshot
   * ({@link StateTableSnapshot.changedCells}). Costs one set insertion per write.
   */
  trackChangedCells(): void {
    this.#changedCells ??= new Array<Set<string> | undefined>(this.keyGroupRange.size).fill(undefined);
  }

  get(keyGroup: number, id: string): V | undefined {
    const index = keyGroup - this.#start;
    const overlay = this.#overlays[index];
    if (overlay !== undefined) {
      const written = overlay.get(id);
      if (written !== undefined) return written === TOMBSTONE ? undefined : written;
    }
    return this.#maps[index]?.get(id);
  }

  put(keyGroup: number, id: string, value: V): void {
    const index = keyGroup - this.#start;
    const base = this.#writableBase(index);
    if (base !== undefined) {
      const before = base.size;
      base.set(id, value);
      const added = base.size - before;
      this.#counts[index] = (this.#counts[index] as number) + added;
      this.#size += added;
    } else {
      this.#writableOverlay(index).set(id, value);
      this.#markStale(index);
    }
    if (this.#changedCells !== undefined) this.#cellChanged(keyGroup, id);
  }

  /** Removes the cell; false when there was none. */
  remove(keyGroup: number, id: string): boolean {
    if (this.get(keyGroup, id) === undefined) return false;
    const index = keyGroup - this.#start;
    const base = this.#writableBase(index);
    if (base !== undefined) {
      base.delete(id);
      this.#counts[index] = (this.#counts[index] as number) - 1;
      this.#size--;
    } else {
      if (this.#maps[index]?.has(id) === true) this.#writableOverlay(index).set(id, TOMBSTONE);
      else this.#writableOverlay(index).delete(id);
      this.#markStale(index);
    }
    if (this.#changedCells !== undefined) this.#cellChanged(keyGroup, id);
    return true;
  }

  /**
   * The container under `id`, safe to change in place: when a live snapshot may hold it, it is
   * first replaced by `copy(container, version)`. Undefined when the cell is empty.
   */
  getForUpdate<C extends V & VersionedContainer>(
    keyGroup: number,
    id: string,
    copy: (container: C, version: number) => C,
  ): C | undefined {
    const found = this.get(keyGroup, id) as C | undefined;
    if (found === undefined) return undefined;
    if (this.#changedCells !== undefined) this.#cellChanged(keyGroup, id);
    const index = keyGroup - this.#start;
    if (found.version > (this.#requiredVersions[index] as number)) {
      this.#changed[index] = 1;
      return found;
    }
    const copied = copy(found, this.#version);
    const base = this.#writableBase(index);
    if (base !== undefined) base.set(id, copied);
    else this.#writableOverlay(index).set(id, copied);
    return copied;
  }

  /** The cells of one key group, live: do not change the table while iterating. */
  entries(keyGroup: number): IterableIterator<[string, V]> {
    const index = keyGroup - this.#start;
    return layeredEntries(this.#maps[index], this.#overlays[index]);
  }

  /**
   * A frozen view of the table now. Later writes never show in it; release it when done, so that
   * writes stop copying for its sake. Its cost is one step per key group.
   *
   * It takes the changes recorded since the previous snapshot (key groups, and cells when
   * tracked) and starts recording anew, unless `keepChanges` (a savepoint: the next checkpoint
   * still needs them).
   */
  snapshot(options: { readonly keepChanges?: boolean } = {}): StateTableSnapshot<V> {
    const version = this.#version;
    this.#version++;
    this.#liveSnapshots.set(version, new Uint8Array(this.keyGroupRange.size));
    this.#requiredVersions.fill(version);
    const maps = this.#maps.slice();
    const overlays = this.#overlayCount === 0 ? undefined : this.#overlays.slice();
    if (this.#staleCount > 0) this.#recountAll();
    const changed: number[] = [];
    let changedCells: Map<number, ReadonlySet<string>> | undefined;
    if (options.keepChanges !== true) {
      for (let i = 0; i < this.#changed.length; i++)
        if (this.#changed[i] === 1) changed.push(this.#start + i);
      this.#changed.fill(0);
      changedCells = this.#takeChangedCells();
    }
    return new StateTableSnapshot(
      this.keyGroupRange,
      version,
      maps,
      overlays,
      this.#counts.slice(),
      this.#size,
      changed,
      () => this.#release(version),
      (keyGroup) => this.#releaseKeyGroup(version, keyGroup - this.#start),
      changedCells,
    );
  }

  /**
   * Forgets that `keyGroup` changed since the last snapshot: its cells were loaded from the
   * checkpoint the next one builds on (a lazy restore), so they are no change to write.
   */
  forgetChanges(keyGroup: number): void {
    const index = keyGroup - this.#start;
    this.#changed[index] = 0;
    if (this.#changedCells !== undefined) this.#changedCells[index] = undefined;
  }

  /**
   * Runs `load`, which puts cells of `keyGroup` loaded from the checkpoint the next one builds on
   * (a lazy restore, part of a key group at a time), without recording its writes as changes;
   * what was recorded before (records' writes to cells loaded earlier) stays recorded.
   */
  loadWithoutChanges(keyGroup: number, load: () => void): void {
    const index = keyGroup - this.#start;
    const changed = this.#changed[index] as number;
    const cells = this.#changedCells?.[index];
    if (this.#changedCells !== undefined) this.#changedCells[index] = undefined;
    try {
      load();
    } finally {
      this.#changed[index] = changed;
      if (this.#changedCells !== undefined) this.#changedCells[index] = cells;
    }
  }

  /** Drops every cell (keeps live snapshots intact). */
  clear(): void {
    for (let i = 0; i < this.#maps.length; i++) {
      if (this.#maps[i] !== undefined) {
        this.#changed[i] = 1;
        if (this.#changedCells !== undefined)
          for (const [id] of layeredEntries(this.#maps[i], this.#overlays[i]))
            this.#cellChanged(this.#start + i, id);
      }
      this.#maps[i] = undefined;
      this.#overlays[i] = undefined;
    }
    this.#overlayCount = 0;
    this.#counts.fill(0);
    this.#stale.fill(0);
    this.#staleCount = 0;
    this.#size = 0;
  }

  #cellChanged(keyGroup: number, id: string): void {
    const cells = this.#changedCells as Array<Set<string> | undefined>;
    const index = keyGroup - this.#start;
    const set = cells[index];
    if (set === undefined) cells[index] = new Set([id]);
    else set.add(id);
  }

  /** The cells changed per key group, and a fresh record; undefined when cells are not tracked. */
  #takeChangedCells(): Map<number, ReadonlySet<string>> | undefined {
    const cells = this.#changedCells;
    if (cells === undefined) return undefined;
    const taken = new Map<number, ReadonlySet<string>>();
    for (let i = 0; i < cells.length; i++) {
      const set = cells[i];
      if (set !== undefined) taken.set(this.#start + i, set);
    }
    this.#changedCells = new Array<Set<string> | undefined>(cells.length).fill(undefined);
    return taken;
  }

  /** The key group's base map when a write may change it in place (created if absent), else undefined. */
  #writableBase(index: number): Map<string, V> | undefined {
    this.#changed[index] = 1;
    const base = this.#maps[index];
    if (base === undefined) {
      const created = new Map<string, V>();
      this.#maps[index] = created;
      this.#mapVersions[index] = this.#version;
      return created;
    }
    if ((this.#mapVersions[index] as number) <= (this.#requiredVersions[index] as number)) return undefined;
    if (this.#overlays[index] !== undefined) this.#foldIfFree(index); // released, not swept yet
    return base;
  }

  /**
   * The overlay a write goes to while a snapshot holds the base. When a newer snapshot holds the
   * overlay too (snapshots overlapping), it is copied: a cost of what was written, not of the base.
   */
  #writableOverlay(index: number): Overlay<V> {
    const overlay = this.#overlays[index];
    if (
      overlay !== undefined &&
      (this.#overlayVersions[index] as number) > (this.#requiredVersions[index] as number)
    )
      return overlay;
    const created: Overlay<V> = overlay === undefined ? new Map() : new Map(overlay);
    if (overlay === undefined) this.#overlayCount++;
    this.#overlays[index] = created;
    this.#overlayVersions[index] = this.#version;
    return created;
  }

  /** Folds the key group's overlay into its base once no live snapshot holds the base: O(overlay). */
  #foldIfFree(index: number): void {
    const overlay = this.#overlays[index];
    const base = this.#maps[index];
    if (overlay === undefined || base === undefined) return;
    if ((this.#mapVersions[index] as number) <= (this.#requiredVersions[index] as number)) return;
    foldOverlay(base, overlay);
    this.#overlays[index] = undefined;
    this.#overlayCount--;
    this.#setCount(index, base.size);
  }

  #markStale(index: number): void {
    if (this.#stale[index] === 1) return;
    this.#stale[index] = 1;
    this.#staleCount++;
  }

  /** Makes the count of the key group at `index` exact (and not stale). */
  #setCount(index: number, count: number): void {
    this.#size += count - (this.#counts[index] as number);
    this.#counts[index] = count;
    if (this.#stale[index] === 1) {
      this.#stale[index] = 0;
      this.#staleCount--;
    }
  }

  /** Counts every stale key group: its map, and what its overlay adds and removes. O(overlays). */
  #recountAll(): void {
    for (let index = 0; index < this.#stale.length; index++) {
      if (this.#stale[index] === 0) continue;
      const base = this.#maps[index];
      let count = base?.size ?? 0;
      const overlay = this.#overlays[index];
      if (overlay !== undefined) {
        for (const [id, value] of overlay) {
          // A tombstone stands for a cell of the map; a value adds a cell unless the map has it.
          if (value === TOMBSTONE) count--;
          else if (base?.has(id) !== true) count++;
        }
      }
      this.#setCount(index, count);
    }
  }

  #release(version: number): void {
    if (!this.#liveSnapshots.delete(version)) return;
    for (let index = 0; index < this.#requiredVersions.length; index++) this.#updateRequired(index);
    if (this.#overlayCount > 0) this.#foldSweep.request();
  }

  /**
   * The snapshot of `version` reads the key group at `index` no more (it was written out): writes
   * to it stop copying for that snapshot, and its overlay is folded back once no snapshot holds it.
   */
  #releaseKeyGroup(version: number, index: number): void {
    const released = this.#liveSnapshots.get(version);
    if (released === undefined || released[index] === 1) return;
    released[index] = 1;
    this.#updateRequired(index);
    this.#foldIfFree(index);
  }

  /** The newest live snapshot version still holding the key group at `index`. */
  #updateRequired(index: number): void {
    let highest = 0;
    for (const [version, released] of this.#liveSnapshots) {
      if (released[index] === 0 && version > highest) highest = version;
    }
    this.#requiredVersions[index] = highest;
  }
}
