import type { TtlValue } from '../../state/ttl/ttl-value.js';
import { StateHandle } from './state-handle.js';
import { unexpiredValue } from './ttl-read.js';

/**
 * The common ground of reducing and aggregating state: one stored value (the reduced value or
 * the accumulator) that `add` folds into and that merges across namespaces.
 */
export abstract class MergingValueHandle<ACC> extends StateHandle {
  readonly mergeable = true as const;

  /** Folds a non-undefined input into the current value (a private copy, or undefined). */
  protected abstract fold(current: ACC | undefined, input: unknown): ACC;
  /** Merges two stored values (private copies). */
  protected abstract combine(a: ACC, b: ACC): ACC;

  /** The stored value after the TTL check, as a private copy; undefined when none. */
  protected async readCurrent(): Promise<ACC | undefined> {
    const found = await this.readValueThroughTtl(this.store.read(this.state, this));
    return found === undefined ? undefined : (this.copyOut(found, this.state.serializer) as ACC);
  }

  /** Adds one input; `undefined` clears the state, as `null` does in Flink. */
  async add(value: unknown): Promise<void> {
    if (value === undefined) return this.clear();
    this.beforeAccess();
    const { value: current } = await this.#readForUpdate(this);
    await this.#write(this.fold(current, value));
  }

  /** Merges the values of `sources` into this one (Flink's order: target, then the sources folded left). */
  async mergeFrom(sources: readonly MergingValueHandle<ACC>[]): Promise<void> {
    this.beforeAccess();
    let merged: ACC | undefined;
    for (const source of sources) {
      const { stored, value } = await this.#readForUpdate(source);
      if (stored) await this.store.remove(this.state, source);
      if (value === undefined) continue;
      merged = merged === undefined ? value : this.combine(merged, value);
    }
    if (merged === undefined) return;
    const { value: target } = await this.#readForUpdate(this);
    await this.#write(target === undefined ? merged : this.combine(target, merged));
  }

  /**
   * The stored value of `cell` for an update, as a private copy: expired counts as absent,
   * whatever the visibility. `stored` says whether the cell holds anything, expired or not.
   */
  async #readForUpdate(cell: StateHandle): Promise<{ stored: boolean; value: ACC | undefined }> {
    let stored = this.store.read(this.state, cell);
    if (stored instanceof Promise) stored = await stored;
    const ttl = this.state.ttl;
    const value =
      ttl === undefined ? stored : unexpiredValue(stored as TtlValue<unknown> | undefined, ttl, this.now());
    return {
      stored: stored !== undefined,
      value: value === undefined ? undefined : (this.copyOut(value, this.state.serializer) as ACC),
    };
  }

  async #write(value: ACC): Promise<void> {
    const written = this.writeValue(this.copyIn(value, this.state.serializer, 'value'));
    if (written instanceof Promise) await written;
  }
}
