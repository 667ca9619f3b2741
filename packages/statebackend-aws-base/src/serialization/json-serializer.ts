import { BaseSerializer } from './base-serializer.js';
import { findCircularPath } from './describe-value.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

const JSON_ACCEPTS = 'JSON-compatible values: objects, arrays, strings, finite numbers, booleans and null';

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Values as UTF-8 JSON text, readable by any tool. `JSON.stringify` semantics apply: `Date`s
 * come back as strings, `undefined` properties and functions inside objects are dropped, `NaN`
 * and infinities become `null`, `Map`s and `Set`s become `{}`. Prefer `Serializers.msgpack()`
 * unless something outside this library reads the bytes.
 *
 * Not deterministic: `{a, b}` and `{b, a}` are equal objects with different bytes, because
 * JSON keeps property insertion order. Do not use it for keys; use `string`, `int`, `number`,
 * `bigint`, `bytes`, a tuple of those, or `msgpack({ deterministic: true })`.
 */
export class JsonSerializer<T> extends BaseSerializer<T> {
  readonly id = 'json';
  readonly deterministic = false;

  serialize(value: T): Uint8Array {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (cause) {
      const circular = findCircularPath(value);
      const problem = circular === undefined ? firstLine(cause) : `circular at ${circular}`;
      return this.rejectValue(value, JSON_ACCEPTS, problem, cause);
    }
    // JSON.stringify returns undefined for undefined, functions and symbols at the top level.
    if (text === undefined) return this.rejectValue(value, JSON_ACCEPTS);
    // Unreachable in practice: JSON.stringify escapes lone surrogates.
    return encodeUtf8(text) ?? this.rejectValue(value, JSON_ACCEPTS, 'a lone surrogate');
  }

  deserialize(bytes: Uint8Array): T {
    try {
      return JSON.parse(decodeUtf8(bytes)) as T;
    } catch (cause) {
      return this.rejectBytes(bytes, `not UTF-8 JSON (${firstLine(cause)})`, cause);
    }
  }

  override copy(value: T): T {
    return this.deserialize(this.serialize(value));
  }
}
