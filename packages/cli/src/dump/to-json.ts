import { VoidNamespace } from '@statebackend/aws-base/spi';

/** JSON as the dump prints it. */
export type DumpJson = null | boolean | number | string | DumpJson[] | { [key: string]: DumpJson };

/**
 * A deserialized value as JSON a reader can use: bigints as decimal strings, bytes as base64
 * (`{ "$bytes": ... }`), Maps and Sets as arrays of entries, dates as ISO strings,
 * non-finite numbers as strings.
 */
export function toJson(value: unknown): DumpJson {
  if (value === null || value === undefined || value === VoidNamespace) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return [...value].map(([k, v]) => [toJson(k), toJson(v)]);
  if (value instanceof Set) return [...value].map(toJson);
  if (Array.isArray(value)) return value.map(toJson);
  const out: { [key: string]: DumpJson } = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
  return out;
}
