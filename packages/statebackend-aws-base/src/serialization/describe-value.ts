/**
 * A short description of a value's type for error messages, e.g. `string (length 12)`,
 * `number 1.5`, `object Date`. It never includes a string's or an object's contents, which may
 * be large or sensitive; numbers and booleans are shown because they explain range errors.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `string (length ${value.length})`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'function':
      return value.name === '' ? 'function' : `function ${value.name}`;
    case 'object':
      return describeObject(value);
    default:
      return typeof value;
  }
}

function describeObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array (length ${value.length})`;
  if (value instanceof Uint8Array) return `${value.constructor.name} (${value.length} bytes)`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `object ${name}` : 'object';
}

/**
 * The property path of the first circular reference in `value`, e.g. `$.session.owner`, or
 * undefined when there is none. Only called after an encoder failed, to say why.
 */
export function findCircularPath(value: unknown): string | undefined {
  const ancestors = new Set<object>();
  const visit = (node: unknown, path: string): string | undefined => {
    if (typeof node !== 'object' || node === null) return undefined;
    if (ancestors.has(node)) return path;
    ancestors.add(node);
    const entries: Iterable<[unknown, unknown]> =
      node instanceof Map ? node.entries() : Object.entries(node as Record<string, unknown>);
    for (const [key, child] of entries) {
      const found = visit(child, `${path}.${String(key)}`);
      if (found !== undefined) return found;
    }
    ancestors.delete(node);
    return undefined;
  };
  try {
    return visit(value, '$');
  } catch {
    // Nesting deep enough to exhaust the stack here too: no cycle to report.
    return undefined;
  }
}
