import type { StoredMapEntry } from '../backend/state-store.js';
import type { VersionedContainer } from './state-table.js';

/**
 * The elements of one list-state cell. Appended to in place until a snapshot shares it, then
 * copied on the next write (see {@link StateTable.getForUpdate}).
 */
export class ListContainer implements VersionedContainer {
  readonly version: number;
  readonly elements: unknown[];

  constructor(version: number, elements: unknown[]) {
    this.version = version;
    this.elements = elements;
  }

  static copy(this: void, container: ListContainer, version: number): ListContainer {
    return new ListContainer(version, container.elements.slice());
  }
}

/**
 * The entries of one map-state cell, by map-key id: each entry is [map key, stored value].
 * Changed in place until a snapshot shares it, then copied on the next write.
 */
export class MapContainer implements VersionedContainer {
  readonly version: number;
  readonly entries: Map<string, StoredMapEntry>;

  constructor(version: number, entries: Map<string, StoredMapEntry> = new Map()) {
    this.version = version;
    this.entries = entries;
  }

  static copy(this: void, container: MapContainer, version: number): MapContainer {
    return new MapContainer(version, new Map(container.entries));
  }
}
