/** Checks on JSON values that both sides apply before storing or sending a value. */
import type { JsonObject, JsonValue } from './types.ts';

/**
 * Nesting depth of a JSON value, measured without recursion so that a hostile, deeply
 * nested value cannot overflow the stack. Stops counting once `limit` is exceeded.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Explains why `value` is not a JSON object that survives a round trip through JSON
 * unchanged (undefined, functions, NaN, Dates, class instances, cycles…), or returns
 * undefined when it is one. Used by clients to refuse a bad value at write time.
 */
export function describeNonJsonObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'a record value must be a plain JSON object';
  }
  const seen = new Set<object>();
  const stack: Array<[unknown, string]> = [[value, 'value']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    switch (typeof node) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(node)) return `${path} is ${node}, which JSON cannot represent`;
        continue;
      case 'object': {
        if (node === null) continue;
        if (seen.has(node)) return `${path} is a circular reference`;
        seen.add(node);
        if (Array.isArray(node)) {
          for (const [i, child] of node.entries()) stack.push([child, `${path}[${i}]`]);
          continue;
        }
        const proto = Object.getPrototypeOf(node);
        if (proto !== Object.prototype && proto !== null) {
          return `${path} is a ${proto?.constructor?.name ?? 'non-plain object'}, not a plain object`;
        }
        for (const [k, child] of Object.entries(node)) stack.push([child, `${path}.${k}`]);
        continue;
      }
      default:
        return `${path} is ${typeof node === 'undefined' ? 'undefined' : `a ${typeof node}`}, which JSON cannot represent`;
    }
  }
  return undefined;
}

/** Sets `key` as an own data property, as `JSON.parse` would, even when it is `__proto__`. */
function defineData(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * A deep copy of a value already known to be JSON (`describeNonJsonObject` found nothing
 * wrong with it). For such values it is several times faster than `structuredClone`, which
 * serializes and deserializes; stores copy every record on the way in and out, so this is
 * on the path of every pulled page. A `__proto__` key is defined as data, as `JSON.parse`
 * would; recursion is as deep as the value, as with `structuredClone`.
 */
export function copyJson<T extends JsonValue>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    const child = copyJson((value as JsonObject)[key] as JsonValue);
    // Assigning is faster than defining; only `__proto__` would mean something else.
    if (key === '__proto__') defineData(copy, key, child);
    else copy[key] = child;
  }
  return copy as T;
}

/**
 * Applies a patch: top-level fields set, fields set to `null` removed. Own properties are
 * defined (never assigned), so a `__proto__` key is data, not a prototype change.
 */
export function applyPatch(base: JsonObject | null | undefined, patch: JsonObject): JsonObject {
  const result: JsonObject = {};
  if (base) for (const [k, v] of Object.entries(base)) defineData(result, k, v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else defineData(result, k, v);
  }
  return result;
}
