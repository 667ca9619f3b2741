import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateSnapshotView } from '../../../src/checkpoint/snapshot/state-snapshot-view.js';
import { KeyGroupRange } from '../../../src/index.js';
import type { CheckpointedState, KeyGroupEntryWriter } from '../../../src/spi.js';

/** One entry of an {@link ArrayView}. */
export interface TestEntry {
  readonly keyGroup: number;
  readonly state: number;
  readonly key: string;
  readonly namespace?: string;
  readonly userKey?: string;
  readonly value: string;
  readonly ttl?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const text = (data: Uint8Array): string => decoder.decode(data);

export const TEST_STATES: readonly CheckpointedState[] = [
  {
    name: 'counts',
    kind: 'value',
    serializers: {
      key: { id: 'string', version: 1 },
      namespace: { id: 'void-namespace', version: 1 },
      value: { id: 'int', version: 1 },
    },
  },
  {
    name: 'seen',
    kind: 'map',
    serializers: {
      key: { id: 'string', version: 1 },
      namespace: { id: 'void-namespace', version: 1 },
      mapKey: { id: 'string', version: 1 },
      mapValue: { id: 'string', version: 1 },
    },
    ttl: {
      ttl: 1000,
      updateType: 'OnCreateAndWrite',
      stateVisibility: 'NeverReturnExpired',
      cleanupFullSnapshot: true,
    },
  },
];

/**
 * A frozen view over a fixed list of entries, standing in for a backend where only the
 * checkpoint machinery is under test. Entries with `ttl` below `expiredBefore` are dropped
 * when the snapshot asks for TTL cleanup.
 */
export class ArrayView implements StateSnapshotView {
  readonly states = TEST_STATES;
  readonly timestamp = 1_700_000_000_000;
  released = 0;
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly changedKeyGroups: ReadonlySet<number> | undefined;
  readonly #entries: readonly TestEntry[];
  readonly #expiredBefore: number;

  constructor(
    entries: readonly TestEntry[],
    options: {
      range?: KeyGroupRange;
      maxParallelism?: number;
      changed?: Iterable<number>;
      expiredBefore?: number;
    } = {},
  ) {
    this.#entries = [...entries].sort((a, b) => a.keyGroup - b.keyGroup);
    this.keyGroupRange = options.range ?? KeyGroupRange.of(0, 127);
    this.maxParallelism = options.maxParallelism ?? 128;
    this.changedKeyGroups = options.changed === undefined ? undefined : new Set(options.changed);
    this.#expiredBefore = options.expiredBefore ?? 0;
  }

  writeKeyGroup(keyGroup: number, out: KeyGroupEntryWriter, dropExpired: boolean): void {
    for (const e of this.#entries) {
      if (e.keyGroup !== keyGroup) continue;
      if (dropExpired && e.ttl !== undefined && e.ttl < this.#expiredBefore) continue;
      out.writeEntry(
        e.state,
        bytes(e.key),
        bytes(e.namespace ?? ''),
        e.userKey === undefined ? undefined : bytes(e.userKey),
        bytes(e.value),
        e.ttl,
      );
    }
  }

  release(): void {
    this.released++;
  }
}

/** Entries spread over key groups: `count` keys, one `counts` value each. */
export function spreadEntries(count: number, maxParallelism = 128, valuePrefix = 'v'): TestEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    keyGroup: (i * 7) % maxParallelism,
    state: 0,
    key: `key-${i}`,
    value: `${valuePrefix}${i}`,
  }));
}

/** A temporary directory, removed by the returned function. */
export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sb-checkpoint-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** An entry as a comparable string. */
export function describeEntry(
  keyGroup: number,
  state: string,
  e: {
    key: Uint8Array;
    namespace: Uint8Array;
    userKey: Uint8Array | undefined;
    value: Uint8Array;
    ttlTimestamp: number | undefined;
  },
): string {
  return `${keyGroup}|${state}|${text(e.key)}|${text(e.namespace)}|${e.userKey === undefined ? '-' : text(e.userKey)}|${text(e.value)}|${e.ttlTimestamp ?? '-'}`;
}

export function describeTestEntry(e: TestEntry): string {
  return `${e.keyGroup}|${TEST_STATES[e.state]?.name}|${e.key}|${e.namespace ?? ''}|${e.userKey ?? '-'}|${e.value}|${e.ttl ?? '-'}`;
}
