import type { DynamoDbStateStore } from '../../../src/index.js';
import { bytes, MAX_PARALLELISM, mapRef, text, valueRef } from './store-fixture.js';

/** A cell of the model: a value cell `v/<key>` or a map entry `m/<key>/<mapKey>`. */
type Cell =
  | { readonly kind: 'value'; readonly key: string }
  | { readonly kind: 'map'; readonly key: string; readonly mapKey: string };

/**
 * What a store should hold, kept in memory beside it: every write goes to both, and a checkpoint
 * keeps a copy of the model, so that a restore can be compared cell by cell.
 */
export class StateModel {
  readonly #cells = new Map<string, string>();
  readonly #checkpoints = new Map<number, ReadonlyMap<string, string>>();
  readonly valueKeys: readonly string[];
  readonly mapKeys: readonly string[];
  readonly mapEntryKeys: readonly string[];
  readonly maxParallelism: number;

  constructor(
    valueKeys: readonly string[],
    mapKeys: readonly string[],
    mapEntryKeys: readonly string[],
    maxParallelism = MAX_PARALLELISM,
  ) {
    this.valueKeys = valueKeys;
    this.mapKeys = mapKeys;
    this.mapEntryKeys = mapEntryKeys;
    this.maxParallelism = maxParallelism;
  }

  async put(store: DynamoDbStateStore, cell: Cell, value: string): Promise<void> {
    this.#cells.set(idOf(cell), value);
    await store.put(this.#ref(cell), bytes(value));
  }

  async delete(store: DynamoDbStateStore, cell: Cell): Promise<void> {
    this.#cells.delete(idOf(cell));
    await store.delete(this.#ref(cell));
  }

  #ref(cell: Cell) {
    return cell.kind === 'value'
      ? valueRef('v', cell.key, this.maxParallelism)
      : mapRef('m', cell.key, cell.mapKey, this.maxParallelism);
  }

  checkpoint(id: number): void {
    this.#checkpoints.set(id, new Map(this.#cells));
  }

  /**
   * Cells of `store` (restricted to `owns`) that differ from the model now, or at checkpoint `id`:
   * one message per wrong cell, `got x want y`.
   */
  async wrongCells(
    store: DynamoDbStateStore,
    owns: (keyGroup: number) => boolean,
    checkpointId?: number,
  ): Promise<string[]> {
    const expected = checkpointId === undefined ? this.#cells : this.#checkpoints.get(checkpointId);
    if (expected === undefined) throw new Error(`no model of checkpoint ${checkpointId}`);
    const wrong: string[] = [];
    const values = this.valueKeys.filter((key) => owns(valueRef('v', key, this.maxParallelism).keyGroup));
    const got = await Promise.all(values.map((key) => store.get(valueRef('v', key, this.maxParallelism))));
    values.forEach((key, i) => {
      const want = expected.get(idOf({ kind: 'value', key }));
      const value = text(got[i]);
      if (value !== want) wrong.push(`v/${key}: got ${value} want ${want}`);
    });
    const maps = this.mapKeys.filter((key) => owns(valueRef('m', key).keyGroup));
    const entries = await Promise.all(
      maps.map((key) => store.entries(valueRef('m', key, this.maxParallelism))),
    );
    maps.forEach((key, i) => {
      const found = new Map((entries[i] ?? []).map(([k, v]) => [text(k) ?? '', text(v)]));
      for (const mapKey of this.mapEntryKeys) {
        const want = expected.get(idOf({ kind: 'map', key, mapKey }));
        const value = found.get(mapKey);
        if (value !== want) wrong.push(`m/${key}/${mapKey}: got ${value} want ${want}`);
      }
    });
    return wrong;
  }
}

function idOf(cell: Cell): string {
  return cell.kind === 'value' ? `v/${cell.key}` : `m/${cell.key}/${cell.mapKey}`;
}

/** A small deterministic PRNG (mulberry32), so that a failing run can be repeated. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
