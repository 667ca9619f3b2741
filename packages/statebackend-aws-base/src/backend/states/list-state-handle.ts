import type { ListState } from '../../state/list-state.js';
import { type TtlValue, ttlValue } from '../../state/ttl/ttl-value.js';
import { StateHandle } from './state-handle.js';
import { partitionByExpiry } from './ttl-read.js';

type StoredElement = TtlValue<unknown>;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * {@link ListState} over a store's list cell. With TTL every element carries its own timestamp,
 * as in Flink's `TtlListState`.
 */
export class ListStateHandle<T> extends StateHandle implements ListState<T> {
  readonly mergeable = true as const;

  async get(): Promise<T[]> {
    this.beforeAccess();
    let stored = this.store.readList(this.state, this);
    if (stored instanceof Promise) stored = await stored;
    if (stored === undefined || stored.length === 0) return [];
    const ttl = this.state.ttl;
    const serializer = this.state.serializer;
    if (ttl === undefined) return stored.map((element) => this.copyOut(element, serializer) as T);
    const { visible, kept, changed } = partitionByExpiry(
      stored as readonly StoredElement[],
      (element) => element,
      (element, now) => ttlValue(element.userValue, now),
      ttl,
      this.now(),
    );
    if (changed) {
      if (kept.length === 0) await this.store.remove(this.state, this);
      else await this.store.writeList(this.state, this, kept);
    }
    return visible.map((element) => this.copyOut(element.userValue, serializer) as T);
  }

  add(value: T): Promise<void> {
    // The hot path: no async frame while the store answers synchronously.
    try {
      this.beforeAccess();
      const copy = this.copyIn(value, this.state.serializer, 'element');
      const appended = this.store.appendList(this.state, this, [
        this.state.ttl === undefined ? copy : ttlValue(copy, this.now()),
      ]);
      return appended instanceof Promise ? appended : RESOLVED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async addAll(values: readonly T[]): Promise<void> {
    this.beforeAccess();
    if (values.length === 0) return;
    const appended = this.store.appendList(this.state, this, this.#toStored(values));
    if (appended instanceof Promise) await appended;
  }

  async update(values: readonly T[]): Promise<void> {
    this.beforeAccess();
    if (values.length === 0) {
      await this.store.remove(this.state, this);
      return;
    }
    await this.store.writeList(this.state, this, this.#toStored(values));
  }

  /** Moves the elements of `sources` after this list's, in order, and clears the sources. */
  async mergeFrom(sources: readonly ListStateHandle<T>[]): Promise<void> {
    this.beforeAccess();
    const moved: unknown[] = [];
    for (const source of sources) {
      const elements = await this.store.readList(this.state, source);
      if (elements === undefined || elements.length === 0) continue;
      for (const element of elements) moved.push(element);
      await this.store.remove(this.state, source);
    }
    if (moved.length > 0) await this.store.appendList(this.state, this, moved);
  }

  #toStored(values: readonly T[]): unknown[] {
    const serializer = this.state.serializer;
    const stored = new Array<unknown>(values.length);
    const now = this.state.ttl === undefined ? 0 : this.now();
    for (let i = 0; i < values.length; i++) {
      const copy = this.copyIn(values[i], serializer, 'element');
      stored[i] = this.state.ttl === undefined ? copy : ttlValue(copy, now);
    }
    return stored;
  }
}
