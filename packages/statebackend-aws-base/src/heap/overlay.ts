/**
 * Marks, in an overlay, a cell removed from the base map underneath. A symbol rather than
 * `undefined` so that a plain `Map.get` tells "removed" from "not in the overlay".
 */
export const TOMBSTONE: unique symbol = Symbol('removed');

/**
 * The writes into one key group since a live snapshot froze its base map: cell ids written,
 * with their values, or removed ({@link TOMBSTONE}). Reads look here first, then in the base.
 * Its size is what was written while the snapshot was held, so freezing costs nothing per entry
 * and a write costs one insertion, not a copy of the key group.
 */
export type Overlay<V> = Map<string, V | typeof TOMBSTONE>;

const NO_ENTRIES: ReadonlyMap<string, never> = new Map<string, never>();

/** The cells of a base map as an overlay changes them: base cells the overlay does not touch, then its own. */
export function* mergedEntries<V>(
  base: ReadonlyMap<string, V> | undefined,
  overlay: ReadonlyMap<string, V | typeof TOMBSTONE>,
): Generator<[string, V]> {
  for (const entry of base ?? NO_ENTRIES) if (!overlay.has(entry[0])) yield entry;
  for (const [id, value] of overlay) if (value !== TOMBSTONE) yield [id, value];
}

/** The cells of a key group, with or without an overlay. */
export function layeredEntries<V>(
  base: ReadonlyMap<string, V> | undefined,
  overlay: ReadonlyMap<string, V | typeof TOMBSTONE> | undefined,
): IterableIterator<[string, V]> {
  if (overlay === undefined) return (base ?? NO_ENTRIES).entries();
  return mergedEntries(base, overlay);
}

/** Applies an overlay to its base in place, once no snapshot holds the base any more: O(overlay). */
export function foldOverlay<V>(
  base: Map<string, V>,
  overlay: ReadonlyMap<string, V | typeof TOMBSTONE>,
): void {
  for (const [id, value] of overlay) {
    if (value === TOMBSTONE) base.delete(id);
    else base.set(id, value);
  }
}
