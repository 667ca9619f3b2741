import { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { SerializerSnapshot } from '../../serialization/type-serializer.js';
import type { JsonObject, JsonValue } from '../json.js';

/**
 * Typed access to fields of a decoded JSON document. Every missing or mistyped field calls
 * `fail` with its path (e.g. `states[2].name`), so a metadata document that does not match
 * the format is reported precisely instead of yielding `undefined` somewhere later.
 */
export class JsonFields {
  readonly #object: JsonObject;
  readonly #path: string;
  readonly #fail: (reason: string) => never;

  constructor(value: JsonValue | undefined, path: string, fail: (reason: string) => never) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`${path || 'the document'} is not a JSON object`);
    }
    this.#object = value as JsonObject;
    this.#path = path;
    this.#fail = fail;
  }

  #where(key: string): string {
    return this.#path === '' ? key : `${this.#path}.${key}`;
  }

  raw(key: string): JsonValue | undefined {
    return this.#object[key];
  }

  has(key: string): boolean {
    return this.#object[key] !== undefined && this.#object[key] !== null;
  }

  string(key: string): string {
    const value = this.#object[key];
    return typeof value === 'string' ? value : this.#fail(`${this.#where(key)} is not a string`);
  }

  /** A non-negative safe integer. */
  integer(key: string): number {
    const value = this.#object[key];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? value
      : this.#fail(`${this.#where(key)} is not a non-negative integer`);
  }

  object_(key: string): JsonFields {
    return new JsonFields(this.#object[key], this.#where(key), this.#fail);
  }

  array(key: string): readonly JsonValue[] {
    const value = this.#object[key];
    return Array.isArray(value)
      ? (value as readonly JsonValue[])
      : this.#fail(`${this.#where(key)} is not an array`);
  }

  objects(key: string): JsonFields[] {
    return this.array(key).map((item, i) => new JsonFields(item, `${this.#where(key)}[${i}]`, this.#fail));
  }

  keyGroupRange(key: string): KeyGroupRange {
    const range = this.object_(key);
    const start = range.integer('start');
    const end = range.integer('end');
    if (end < start) this.#fail(`${this.#where(key)} ends (${end}) before it starts (${start})`);
    return KeyGroupRange.of(start, end);
  }

  /** `[[start, end], ...]`, ascending and disjoint. */
  keyGroupRanges(key: string): KeyGroupRange[] {
    const ranges: KeyGroupRange[] = [];
    let previousEnd = -1;
    for (const [i, item] of this.array(key).entries()) {
      const pair = Array.isArray(item) ? (item as readonly JsonValue[]) : [];
      const [start, end] = pair;
      if (
        pair.length !== 2 ||
        typeof start !== 'number' ||
        typeof end !== 'number' ||
        !Number.isSafeInteger(start) ||
        !Number.isSafeInteger(end) ||
        start <= previousEnd ||
        end < start
      ) {
        this.#fail(`${this.#where(key)}[${i}] is not an ascending [start, end] pair of key groups`);
      }
      ranges.push(KeyGroupRange.of(start as number, end as number));
      previousEnd = end as number;
    }
    return ranges;
  }

  serializerSnapshot(key: string): SerializerSnapshot {
    const fields = this.object_(key);
    const config = fields.raw('config');
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
      this.#fail(`${this.#where(key)}.config is not a JSON object`);
    }
    const base = { id: fields.string('id'), version: fields.integer('version') };
    return config === undefined ? base : { ...base, config: config as Readonly<Record<string, unknown>> };
  }

  /** The object itself, for opaque parts such as the caller's metadata. */
  get value(): JsonObject {
    return this.#object;
  }
}

/** Key-group ranges in the JSON form `[[start, end], ...]`. */
export function rangesToJson(ranges: readonly KeyGroupRange[]): JsonValue {
  return ranges.map((range) => [range.startKeyGroup, range.endKeyGroup]);
}
