import { checkRestoredState } from '../../backend/check-restored-state.js';
import type { RegisteredKeyedState } from '../../backend/registered-state.js';
import type { KeyGroupBlocks } from '../../checkpoint/restore/key-group-blocks.js';
import type { VerifiedBlock } from '../../checkpoint/restore/keyed-state-source.js';
import {
  entriesInBlocks,
  type RestoredKeyedState,
  type RestoredStateEntries,
} from '../../checkpoint/restore/restored-keyed-state.js';
import type { RestoredStateTarget } from '../../checkpoint/snapshot/unloaded-key-groups.js';
import { UnloadedKeyGroups } from '../../checkpoint/snapshot/unloaded-key-groups.js';
import { StateBackendError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { Logger } from '../../logging/logger.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import type { StateTable } from '../state-table.js';
import { LazyKeyGroupLoader } from './lazy-key-group-loader.js';
import { loadRestoredState } from './load-restored-state.js';

/** What a lazy restore loads into: the heap backend's tables. */
export interface LazyRestoreHost {
  readonly keyGroupRange: KeyGroupRange;
  readonly keySerializer: TypeSerializer<unknown>;
  readonly logger: Logger;
  readonly operatorId: string;
}

interface RegisteredRestored {
  readonly state: RegisteredKeyedState;
  readonly entries: RestoredStateEntries;
  readonly table: StateTable<unknown>;
  /** How stored value bytes become what the registered serializer reads; undefined when as-is. */
  readonly migrate: ((bytes: Uint8Array) => unknown) | undefined;
}

/**
 * A heap backend's restore after it was handed out: the {@link LazyKeyGroupLoader} reads key
 * groups, and this loads each into the tables of the states registered so far (a state
 * registered later loads the key groups read before it at registration, as an eager restore does
 * at once). Loaded cells are no change: the next incremental checkpoint references them where
 * they are, unless the state's serializer migrates their bytes.
 */
export class LazyRestore {
  readonly restored: RestoredKeyedState;
  readonly loader: LazyKeyGroupLoader;
  readonly #host: LazyRestoreHost;
  readonly #blocks: KeyGroupBlocks;
  readonly #registered: RegisteredRestored[] = [];
  readonly #started = performance.now();

  constructor(
    host: LazyRestoreHost,
    restored: RestoredKeyedState,
    blocks: KeyGroupBlocks,
    limits: { readonly concurrency: number; readonly maxBytesInFlight: number },
    onAllLoaded: () => void,
  ) {
    this.#host = host;
    this.#blocks = blocks;
    this.restored = restored;
    this.loader = new LazyKeyGroupLoader(blocks, host.keyGroupRange, {
      ...limits,
      load: (keyGroup, block) => this.#load(keyGroup, block),
      onAllLoaded: () => {
        this.restored.dropBlocksIfUnneeded();
        host.logger.info('Restored keyed state loaded', {
          operatorId: host.operatorId,
          from: restored.description,
          ms: Math.round(performance.now() - this.#started),
        });
        onAllLoaded();
      },
      onFailure: (error, keyGroups) =>
        host.logger.error('Restoring key groups failed; records of them and the next checkpoint fail', {
          operatorId: host.operatorId,
          keyGroups: keyGroups.join(','),
          error: error.message,
        }),
    });
  }

  /** The first key group that failed to load, if any. */
  get failure(): StateBackendError | undefined {
    return this.loader.failure;
  }

  /**
   * A state was registered and restored entries are stored for it: checks it reads them (throws
   * the typed error otherwise, loading nothing) and loads those of the key groups read so far.
   */
  register(state: RegisteredKeyedState, entries: RestoredStateEntries, table: StateTable<unknown>): void {
    const { keySerializer, keyGroupRange } = this.#host;
    const compatibility = checkRestoredState(entries.state, state, keySerializer, this.restored.description);
    loadRestoredState(entries, state, keySerializer, table, this.restored.description);
    const migrate = compatibility.kind === 'compatible-as-is' ? undefined : compatibility.migrate;
    // Migrated values are rewritten by the next checkpoint; the others are where they were restored from.
    if (migrate === undefined) for (const keyGroup of keyGroupRange) table.forgetChanges(keyGroup);
    this.#registered.push({ state, entries, table, migrate });
  }

  /** Loads `block`: all of `keyGroup`, or one of its sub-blocks (the key group loads in parts). */
  #load(keyGroup: number, block: VerifiedBlock | undefined): void {
    if (block === undefined) return;
    const restored = this.restored;
    restored.addBlock(block);
    const { keySerializer } = this.#host;
    for (const { state, entries, table, migrate } of this.#registered) {
      // This block only: parts of the key group loaded before may have been written since.
      const load = () =>
        loadRestoredState(
          entriesInBlocks(entries.state, keyGroup, [block]),
          state,
          keySerializer,
          table,
          restored.description,
          keyGroup,
        );
      // Migrated values are changes (written again); the others are where they were restored from.
      if (migrate === undefined) table.loadWithoutChanges(keyGroup, load);
      else load();
    }
    restored.dropBlocksOf(keyGroup);
  }

  /**
   * For a snapshot taken now, of `states` (registered, in the view's order) and then `pending`
   * (restored, not registered): the key groups not loaded yet, written as restored, and those
   * that must be written although unchanged (a migrating serializer's values).
   */
  freeze(
    states: readonly RegisteredKeyedState[],
    pending: readonly RestoredStateEntries[],
  ): {
    unloaded: UnloadedKeyGroups | undefined;
    rewrite: readonly number[];
    /** The key groups loaded in part, each with its blocks kept for the states not registered. */
    partlyLoaded: ReadonlyMap<number, readonly VerifiedBlock[]>;
  } {
    const keyGroups = this.loader.unloadedKeyGroups();
    if (keyGroups.length === 0) return { unloaded: undefined, rewrite: [], partlyLoaded: new Map() };
    const targets = new Map<string, RestoredStateTarget>();
    let migrating = false;
    states.forEach((state, index) => {
      const migrate = this.#registered.find((r) => r.state === state)?.migrate;
      const cleanupTtl = state.ttl?.cleanupFullSnapshot === true ? state.ttl.ttl : undefined;
      if (migrate !== undefined) migrating = true;
      targets.set(state.name, {
        index,
        ...(migrate === undefined
          ? {}
          : { migrate: (bytes: Uint8Array) => state.serializer.serialize(migrate(bytes)) }),
        ...(cleanupTtl === undefined ? {} : { cleanupTtl }),
      });
    });
    for (const [i, entries] of pending.entries())
      targets.set(entries.state.name, { index: states.length + i });
    // A key group loaded in part is written from the tables for its loaded sub-blocks, and as
    // restored for the others (as they are now: those loaded after this are not in the tables frozen).
    const partlyLoaded = new Map<number, readonly VerifiedBlock[]>();
    const blocks = new Map(
      keyGroups.map((keyGroup) => {
        const block = this.loader.blockOf(keyGroup);
        const loaded = this.loader.loadedSubBlocks(keyGroup);
        if (loaded === undefined) return [keyGroup, block] as const;
        partlyLoaded.set(keyGroup, this.restored.blocksOf(keyGroup));
        return [keyGroup, block.then((read) => read && this.#without(read, loaded))] as const;
      }),
    );
    return {
      unloaded: new UnloadedKeyGroups(blocks, targets),
      rewrite: migrating ? keyGroups : [],
      partlyLoaded,
    };
  }

  /** The entries of `block` outside its sub-blocks `loaded`, as one block (undefined when none). */
  #without(block: VerifiedBlock, loaded: ReadonlySet<number>): VerifiedBlock | undefined {
    const subBlocks = this.#blocks.subBlocksOf?.(block);
    if (subBlocks === undefined)
      throw new StateBackendError(`Key group ${block.keyGroup} lost its sub-blocks; this is a bug.`);
    const rest = subBlocks.filter((subBlock, index) => !loaded.has(index) && subBlock.entries > 0);
    if (rest.length === 0) return undefined;
    return {
      keyGroup: block.keyGroup,
      bytes: Buffer.concat(rest.map((subBlock) => subBlock.bytes)),
      entries: rest.reduce((sum, subBlock) => sum + subBlock.entries, 0),
      states: block.states,
    };
  }

  /** Stops loading; resolves once reads in flight settled. */
  close(): Promise<void> {
    return this.loader.close();
  }
}
