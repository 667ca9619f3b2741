import type { KeyGroupGate } from '../../backend/key-group-gate.js';
import { subBlockOfKeyId } from '../../checkpoint/format/sub-blocks.js';
import type { KeyGroupBlocks } from '../../checkpoint/restore/key-group-blocks.js';
import type { VerifiedBlock } from '../../checkpoint/restore/keyed-state-source.js';
import { StateBackendDisposedError, StateBackendError } from '../../errors.js';
import { KeyGroupRange } from '../../keygroup/key-group-range.js';

const PENDING = 0;
const READING = 1;
const LOADED = 2;
const FAILED = 3;

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever awaits it sees the rejection; nobody awaiting it is no unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Options of a {@link LazyKeyGroupLoader}. */
export interface LazyKeyGroupLoaderOptions {
  /** Background reads at once. */
  readonly concurrency: number;
  /** Bytes read and not yet loaded, at most (a single key group larger than this still loads). */
  readonly maxBytesInFlight: number;
  /**
   * Loads a key group into the tables, synchronously: its resolved block, or undefined when it
   * holds nothing. A throw fails that key group.
   */
  readonly load: (keyGroup: number, block: VerifiedBlock | undefined) => void;
  /** Every key group is loaded (called once, never after a failure or close). */
  readonly onAllLoaded?: () => void;
  /** A key group failed to load (called once per failed read or load). */
  readonly onFailure?: (error: StateBackendError, keyGroups: readonly number[]) => void;
}

/**
 * Loads the key groups of a restored range after the backend was handed out: in the background,
 * in ascending order, in batches of adjacent key groups (one ranged read per file each),
 * `concurrency` batches and `maxBytesInFlight` bytes at a time, and a key group asked for
 * ({@link whenReady}) at once, ahead of the background and beside its limits, so that a record
 * waits for its own key group only. Each read key group is loaded into the tables in one
 * synchronous step, one per turn of the event loop.
 *
 * A read or load that fails fails its key group ({@link whenReady} rejects with the typed
 * error, {@link failure} keeps the first; a batch that fails is read again key group by key
 * group, so only the key groups that cannot be read fail); the others go on loading.
 * {@link close} stops it: no read starts and nothing is loaded afterwards.
 */
export class LazyKeyGroupLoader implements KeyGroupGate {
  readonly #blocks: KeyGroupBlocks;
  readonly #range: KeyGroupRange;
  readonly #options: LazyKeyGroupLoaderOptions;
  readonly #status: Uint8Array;
  readonly #errors = new Map<number, StateBackendError>();
  /** Who waits for a key group to be loaded, per key group. */
  readonly #loadWaiters = new Map<number, Deferred<void>>();
  /** Who waits for a key group's block to be read (a snapshot writing it), per key group. */
  readonly #blockWaiters = new Map<number, Deferred<VerifiedBlock | undefined>>();
  readonly #keyGroupsToRead: readonly number[];
  readonly #all = deferred<void>();
  readonly #inFlight = new Set<Promise<void>>();
  /**
   * Key groups loaded in part: a record asked for one key, and only the sub-block holding its
   * cells was read and loaded (see `sub-blocks.ts`). Per key group, each sub-block's status
   * (PENDING, READING, LOADED) and who waits for one; dropped once the key group is loaded whole.
   */
  readonly #parts = new Map<number, { status: Uint8Array; waiters: Map<number, Deferred<void>> }>();
  /** Records waiting for a sub-block. */
  #subBlockWaits = 0;
  /** Reads records asked for (key groups or sub-blocks) in flight. */
  #onDemandReads = 0;
  /** Whether background reads may start (see {@link start}). */
  #backgroundStarted = false;
  /** Whether the background starts once the on-demand reads in flight are served. */
  #startAfterOnDemand = false;
  /** Key groups read and waiting to be loaded, in the order read, with their blocks. */
  readonly #toLoad = new Map<number, VerifiedBlock | undefined>();
  /** Whether the loop loading read key groups (one per turn) runs; set and cleared synchronously. */
  #loading = false;
  /** That loop's last run, which {@link close} waits for. */
  #loadRun: Promise<void> = Promise.resolve();
  #cursor = 0;
  #activeBackground = 0;
  #bytesInFlight = 0;
  #remaining: number;
  #failure: StateBackendError | undefined;
  #closed = false;

  constructor(blocks: KeyGroupBlocks, range: KeyGroupRange, options: LazyKeyGroupLoaderOptions) {
    this.#blocks = blocks;
    this.#range = range;
    this.#options = options;
    this.#status = new Uint8Array(range.size).fill(LOADED);
    this.#keyGroupsToRead = blocks.keyGroups.filter((keyGroup) => range.contains(keyGroup));
    for (const keyGroup of this.#keyGroupsToRead) this.#status[keyGroup - range.startKeyGroup] = PENDING;
    this.#remaining = this.#keyGroupsToRead.length;
  }

  /** Starts loading in the background, now. */
  start(): void {
    if (this.#remaining === 0) this.#finish();
    this.#startBackground();
  }

  /**
   * Starts loading in the background a turn of the event loop later, or, when records asked for
   * key groups (or sub-blocks) by then, once those reads are served: the first records' reads
   * never queue behind background reads (on local storage they share Node's thread pool).
   */
  startAfterFirstRecords(): void {
    if (this.#remaining === 0) this.#finish();
    setImmediate(() => {
      if (this.#onDemandReads > 0) this.#startAfterOnDemand = true;
      else this.#startBackground();
    });
  }

  #startBackground(): void {
    this.#startAfterOnDemand = false;
    this.#backgroundStarted = true;
    this.#pump();
  }

  /** An on-demand read settled: the background starts if it waited for the first ones. */
  #onDemandReadDone(): void {
    this.#onDemandReads--;
    if (this.#startAfterOnDemand && this.#onDemandReads === 0) this.#startBackground();
  }

  /** Key groups not loaded yet (failed ones included). */
  get remaining(): number {
    return this.#remaining;
  }

  /** The first failure, if a key group failed to load. */
  get failure(): StateBackendError | undefined {
    return this.#failure;
  }

  isReady(keyGroup: number): boolean {
    return this.#status[keyGroup - this.#range.startKeyGroup] === LOADED;
  }

  /**
   * Resolves once `keyGroup` is loaded (reading it now if it was not being read), or, given a
   * key's id and a key group split into sub-blocks, once the sub-block holding that key's cells
   * is (read alone, ahead of the rest).
   */
  whenReady(keyGroup: number, keyId?: string): Promise<void> {
    const index = keyGroup - this.#range.startKeyGroup;
    const status = this.#status[index];
    if (status === LOADED) return Promise.resolve();
    if (status === FAILED) return Promise.reject(this.#errors.get(keyGroup));
    if (this.#closed) return Promise.reject(new StateBackendDisposedError('process a record'));
    if (keyId !== undefined && !this.#toLoad.has(keyGroup)) {
      const count = this.#blocks.subBlockCount?.(keyGroup) ?? 1;
      if (count > 1) return this.#whenSubBlockReady(keyGroup, subBlockOfKeyId(keyId, count), count);
    }
    let waiter = this.#loadWaiters.get(keyGroup);
    if (waiter === undefined) {
      waiter = deferred<void>();
      this.#loadWaiters.set(keyGroup, waiter);
    }
    if (status === PENDING) this.#read([keyGroup], false);
    else this.#startLoading(); // read already, maybe held back while another record waited
    return waiter.promise;
  }

  /**
   * The block of `keyGroup` as restored (undefined when it holds nothing), for a snapshot that
   * writes a key group not loaded when it was taken; call it before the key group loads. The
   * background reads it in its turn (within its limits: a snapshot asks for every key group).
   */
  blockOf(keyGroup: number): Promise<VerifiedBlock | undefined> {
    const index = keyGroup - this.#range.startKeyGroup;
    const status = this.#status[index];
    if (status === FAILED) return Promise.reject(this.#errors.get(keyGroup));
    if (this.#closed) return Promise.reject(new StateBackendDisposedError('write a snapshot'));
    if (status === LOADED) {
      return Promise.reject(
        new StateBackendError(`Key group ${keyGroup} is loaded: its block is gone; this is a bug.`),
      );
    }
    // Read already and waiting for its turn to load: the read resolved its waiters before this one came.
    if (this.#toLoad.has(keyGroup)) return Promise.resolve(this.#toLoad.get(keyGroup));
    let waiter = this.#blockWaiters.get(keyGroup);
    if (waiter === undefined) {
      waiter = deferred<VerifiedBlock | undefined>();
      this.#blockWaiters.set(keyGroup, waiter);
    }
    return waiter.promise;
  }

  /**
   * The sub-blocks of `keyGroup` loaded so far when it is loaded in part (its other cells are still
   * as restored); undefined when none is.
   */
  loadedSubBlocks(keyGroup: number): ReadonlySet<number> | undefined {
    const part = this.#parts.get(keyGroup);
    if (part === undefined) return undefined;
    const loaded = new Set<number>();
    part.status.forEach((status, index) => {
      if (status === LOADED) loaded.add(index);
    });
    return loaded.size === 0 ? undefined : loaded;
  }

  /** The key groups not loaded yet (being read or waiting), ascending; failed ones excluded. */
  unloadedKeyGroups(): number[] {
    if (this.#remaining === 0) return [];
    const start = this.#range.startKeyGroup;
    return this.#keyGroupsToRead.filter((keyGroup) => {
      const status = this.#status[keyGroup - start];
      return status === PENDING || status === READING;
    });
  }

  /** Resolves once every key group is loaded; rejects at the first failure. */
  whenAllLoaded(): Promise<void> {
    return this.#all.promise;
  }

  /** Stops: no read starts, nothing more is loaded, waiters are rejected. Resolves once reads in flight settled. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new StateBackendDisposedError('load a restored key group');
    for (const waiter of this.#loadWaiters.values()) waiter.reject(error);
    for (const waiter of this.#blockWaiters.values()) waiter.reject(error);
    for (const part of this.#parts.values()) for (const waiter of part.waiters.values()) waiter.reject(error);
    this.#parts.clear();
    this.#subBlockWaits = 0;
    this.#loadWaiters.clear();
    this.#blockWaiters.clear();
    this.#all.reject(error);
    this.#toLoad.clear();
    await Promise.allSettled([...this.#inFlight, this.#loadRun]);
  }

  /** Starts background batches while the limits allow. */
  #pump(): void {
    const { concurrency, maxBytesInFlight } = this.#options;
    const batchBytes = Math.max(1, Math.floor(maxBytesInFlight / concurrency));
    while (this.#backgroundStarted && !this.#closed && this.#activeBackground < concurrency) {
      const batch = this.#nextBatch(batchBytes);
      if (batch === undefined) return;
      // Over the limit, a batch waits while reads are in flight or read key groups wait to load
      // (also while loading holds back for a record); otherwise one goes, however large.
      const busy = this.#activeBackground > 0 || this.#toLoad.size > 0;
      if (busy && this.#bytesInFlight + batch.bytes > maxBytesInFlight) {
        this.#cursor -= batch.keyGroups.length; // not now: once bytes were loaded
        return;
      }
      this.#read(batch.keyGroups, true);
    }
  }

  /** The next run of adjacent pending key groups, up to `limit` bytes (one at least). */
  #nextBatch(limit: number): { keyGroups: number[]; bytes: number } | undefined {
    const all = this.#keyGroupsToRead;
    const start = this.#range.startKeyGroup;
    while (this.#cursor < all.length && this.#status[(all[this.#cursor] as number) - start] !== PENDING)
      this.#cursor++;
    if (this.#cursor >= all.length) return undefined;
    const keyGroups: number[] = [];
    let bytes = 0;
    while (this.#cursor < all.length) {
      const keyGroup = all[this.#cursor] as number;
      if (this.#status[keyGroup - start] !== PENDING) break;
      const size = this.#blocks.bytesOf(keyGroup);
      if (keyGroups.length > 0 && bytes + size > limit) break;
      keyGroups.push(keyGroup);
      bytes += size;
      this.#cursor++;
    }
    return { keyGroups, bytes };
  }

  /** Reads `keyGroups` (ascending, pending) in one batch, then loads them one per turn. */
  #read(keyGroups: readonly number[], background: boolean): void {
    const start = this.#range.startKeyGroup;
    for (const keyGroup of keyGroups) this.#status[keyGroup - start] = READING;
    let bytes = 0;
    for (const keyGroup of keyGroups) bytes += this.#blocks.bytesOf(keyGroup);
    this.#bytesInFlight += bytes;
    if (background) this.#activeBackground++;
    else this.#onDemandReads++;
    const first = keyGroups[0] as number;
    const last = keyGroups[keyGroups.length - 1] as number;
    const work = this.#blocks
      .read(KeyGroupRange.of(first, last))
      .then(
        (blocks) => {
          if (this.#closed) return;
          const byKeyGroup = new Map(blocks.map((block) => [block.keyGroup, block]));
          for (const keyGroup of keyGroups) {
            if (this.#status[keyGroup - start] === FAILED) {
              // Failed meanwhile (a sub-block of it could not be loaded): nothing to load.
              this.#bytesInFlight -= this.#blocks.bytesOf(keyGroup);
              continue;
            }
            const block = byKeyGroup.get(keyGroup);
            this.#blockWaiters.get(keyGroup)?.resolve(block);
            this.#blockWaiters.delete(keyGroup);
            this.#toLoad.set(keyGroup, block);
          }
          this.#startLoading();
        },
        (error: unknown) => {
          this.#bytesInFlight -= bytes;
          if (this.#closed) return;
          // One damaged block fails the read of its whole batch: each key group is read again on
          // its own, so that only the damaged one fails (and a transient failure gets a retry).
          if (keyGroups.length > 1) {
            for (const keyGroup of keyGroups)
              if (this.#status[keyGroup - start] !== FAILED) this.#read([keyGroup], false);
          } else this.#fail(keyGroups, error);
        },
      )
      .finally(() => {
        this.#inFlight.delete(work);
        if (background) this.#activeBackground--;
        else this.#onDemandReadDone();
        this.#pump();
      });
    this.#inFlight.add(work);
  }

  /** Reads and loads sub-block `subBlock` of `keyGroup` (not loaded whole yet) alone. */
  #whenSubBlockReady(keyGroup: number, subBlock: number, count: number): Promise<void> {
    let part = this.#parts.get(keyGroup);
    if (part === undefined) {
      part = { status: new Uint8Array(count), waiters: new Map() };
      this.#parts.set(keyGroup, part);
    }
    if (part.status[subBlock] === LOADED) return Promise.resolve();
    const waiting = part.waiters.get(subBlock);
    if (waiting !== undefined) return waiting.promise;
    const waiter = deferred<void>();
    part.waiters.set(subBlock, waiter);
    this.#subBlockWaits++;
    part.status[subBlock] = READING;
    const current = part;
    const stillPart = () => !this.#closed && this.#parts.get(keyGroup) === current;
    const read = this.#blocks.readSubBlock?.(keyGroup, subBlock);
    if (read === undefined)
      throw new StateBackendError('Sub-blocks without a way to read them; this is a bug.');
    this.#onDemandReads++;
    const work = read
      .then(
        (block) => {
          if (!stillPart() || current.status[subBlock] === LOADED) return;
          try {
            this.#options.load(keyGroup, block);
          } catch (error) {
            this.#fail([keyGroup], error);
            return;
          }
          current.status[subBlock] = LOADED;
          this.#settleSubBlockWaiter(current, subBlock)?.resolve();
        },
        () => {
          // Whatever is wrong, the key group's own read reports it (or reads it after all).
          if (!stillPart() || current.status[subBlock] === LOADED) return;
          current.status[subBlock] = PENDING;
          const settled = this.#settleSubBlockWaiter(current, subBlock);
          if (settled !== undefined) this.whenReady(keyGroup).then(settled.resolve, settled.reject);
        },
      )
      .finally(() => {
        this.#inFlight.delete(work);
        this.#onDemandReadDone();
        // The background resumes a turn later: the record goes first.
        if (this.#subBlockWaits === 0) setImmediate(() => this.#startLoading());
      });
    this.#inFlight.add(work);
    return waiter.promise;
  }

  /** Takes the waiter of a sub-block out, so that it is settled once. */
  #settleSubBlockWaiter(
    part: { waiters: Map<number, Deferred<void>> },
    subBlock: number,
  ): Deferred<void> | undefined {
    const waiter = part.waiters.get(subBlock);
    if (waiter === undefined) return undefined;
    part.waiters.delete(subBlock);
    this.#subBlockWaits--;
    return waiter;
  }

  #startLoading(): void {
    if (!this.#loading && this.#toLoad.size > 0) this.#loadRun = this.#loadRead();
  }

  /**
   * Loads the key groups read, one per turn of the event loop so records keep flowing: a key
   * group a record waits for first, the others in the order read, and none of the others while a
   * record waits for a key group not read yet.
   */
  async #loadRead(): Promise<void> {
    this.#loading = true;
    try {
      while (this.#toLoad.size > 0) {
        if (this.#closed) return;
        let keyGroup: number | undefined;
        for (const waited of this.#loadWaiters.keys()) {
          if (this.#toLoad.has(waited)) {
            keyGroup = waited;
            break;
          }
        }
        if (keyGroup === undefined && this.#subBlockWaits > 0) {
          for (const [waited, part] of this.#parts) {
            if (part.waiters.size > 0 && this.#toLoad.has(waited)) {
              keyGroup = waited;
              break;
            }
          }
        }
        // A record waits for a key group (or a sub-block) still being read: the thread is kept for
        // it, and the background resumes once it is loaded (its read arriving starts this loop again).
        if (keyGroup === undefined && (this.#loadWaiters.size > 0 || this.#subBlockWaits > 0)) return;
        keyGroup ??= this.#toLoad.keys().next().value as number;
        const block = this.#toLoad.get(keyGroup);
        this.#toLoad.delete(keyGroup);
        this.#bytesInFlight -= this.#blocks.bytesOf(keyGroup);
        this.#loadOne(keyGroup, block);
        this.#pump();
        if (this.#toLoad.size > 0) await nextTurn();
      }
    } finally {
      // Cleared in the step that found nothing left (no turn later): a read resolving after it starts the loop again.
      this.#loading = false;
    }
  }

  #loadOne(keyGroup: number, block: VerifiedBlock | undefined): void {
    const part = this.#parts.get(keyGroup);
    try {
      if (part === undefined || block === undefined) this.#options.load(keyGroup, block);
      else {
        const subBlocks = this.#blocks.subBlocksOf?.(block);
        if (subBlocks === undefined)
          throw new StateBackendError(`Key group ${keyGroup} lost its sub-blocks; this is a bug.`);
        // Loaded in part: the rest, sub-block by sub-block (those loaded may have changed since).
        subBlocks.forEach((subBlock, index) => {
          if (part.status[index] === LOADED) return;
          this.#options.load(keyGroup, subBlock);
          part.status[index] = LOADED;
        });
      }
    } catch (error) {
      this.#fail([keyGroup], error);
      return;
    }
    this.#status[keyGroup - this.#range.startKeyGroup] = LOADED;
    if (part !== undefined) {
      this.#parts.delete(keyGroup);
      for (const index of [...part.waiters.keys()]) this.#settleSubBlockWaiter(part, index)?.resolve();
    }
    this.#loadWaiters.get(keyGroup)?.resolve();
    this.#loadWaiters.delete(keyGroup);
    if (--this.#remaining === 0 && this.#failure === undefined) this.#finish();
  }

  #fail(keyGroups: readonly number[], cause: unknown): void {
    if (this.#closed) return;
    const error =
      cause instanceof StateBackendError
        ? cause
        : new StateBackendError(`Restoring key groups ${keyGroups.join(', ')} failed: ${String(cause)}`, {
            cause,
          });
    const start = this.#range.startKeyGroup;
    for (const keyGroup of keyGroups) {
      // Pending too: a sub-block failed to load before the key group was read.
      const status = this.#status[keyGroup - start];
      if (status !== READING && status !== PENDING) continue;
      this.#status[keyGroup - start] = FAILED;
      this.#errors.set(keyGroup, error);
      const part = this.#parts.get(keyGroup);
      if (part !== undefined) {
        this.#parts.delete(keyGroup);
        for (const index of [...part.waiters.keys()]) this.#settleSubBlockWaiter(part, index)?.reject(error);
      }
      this.#blockWaiters.get(keyGroup)?.reject(error);
      this.#blockWaiters.delete(keyGroup);
      this.#loadWaiters.get(keyGroup)?.reject(error);
      this.#loadWaiters.delete(keyGroup);
    }
    if (this.#failure === undefined) {
      this.#failure = error;
      this.#all.reject(error);
    }
    this.#options.onFailure?.(error, keyGroups);
    // Loading may have held back for a record waiting on these key groups.
    this.#startLoading();
  }

  #finish(): void {
    this.#all.resolve();
    this.#options.onAllLoaded?.();
  }
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
