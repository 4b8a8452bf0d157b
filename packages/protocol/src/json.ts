/** Checks on JSON values that both sides apply before storing or sending a value. */
import type { JsonObject, JsonValue } from './types.ts';

/**
 * Nesting depth of a JSON value, measured without recursion so that a hostile, deeply
 * nested value cannot overflow the stack. Stops counting once `limit` is exceeded.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  return inspectWrittenValue(value, limit) === 'too_deep';
}

/**
 * Where JavaScript, and so `JSON.stringify`, stops writing a number in plain digits and
 * switches to exponent form (`1e+21`).
 */
const EXPONENT_FORM_FROM = 1e21;

/**
 * Whether `n` is a whole number that JSON writes in plain digits but a double cannot hold
 * exactly: beyond ±(2^53 − 1) (`Number.MAX_SAFE_INTEGER`), where neighbouring integers
 * share one double, and below 10^21. `9007199254740993` in JSON text reads as
 * 9007199254740992, which is one of them, as is every 64-bit id past 2^53. Every double
 * from 2^53 up is a whole number, so numbers from 10^21 up, which JSON writes in exponent
 * form (`1.5e+300`), are taken as the floating-point values they look like, as are
 * fractions.
 */
export function isInexactInteger(n: number): boolean {
  const magnitude = Math.abs(n);
  return magnitude > Number.MAX_SAFE_INTEGER && magnitude < EXPONENT_FORM_FROM;
}

/**
 * The server's one walk over a value a mutation writes, cheap enough for every pushed
 * mutation: `'too_deep'` when it nests deeper than `maxDepth` (whatever else it holds),
 * `'unwritable'` when it holds a number JSON cannot carry exactly (NaN, ±Infinity, or one
 * `isInexactInteger` refuses), otherwise undefined. No path is spelled on the way;
 * `describeUnwritableValue` names the part once something was found. Without recursion,
 * so that a hostile, deeply nested value cannot overflow the stack.
 */
export function inspectWrittenValue(
  value: unknown,
  maxDepth: number,
): 'too_deep' | 'unwritable' | undefined {
  let unwritable = false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'number') {
      if (!Number.isFinite(node) || isInexactInteger(node)) unwritable = true;
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) return 'too_deep';
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return unwritable ? 'unwritable' : undefined;
}

/**
 * Past this depth the quick check hands over to the precise walk, which uses no recursion
 * (a hostile, deeply nested value cannot overflow the stack) and tells a cycle from a deep
 * value. Record values are far shallower; the server refuses any deeper than
 * `maxValueDepth`.
 */
const QUICK_CHECK_DEPTH = 256;

const LEAF = 0;
const ARRAY = 1;
const OBJECT = 2;

/**
 * What JSON makes of `node` itself, its children aside: a leaf it carries, an array or a
 * plain object to walk into, or, as text, why it cannot carry it ("is NaN, …"). Both walks
 * below ask this, so they agree on what JSON is; the text is made only for a wrong node.
 * With `exactNumbers`, a number `isInexactInteger` refuses is wrong too: writes are held to
 * that, while stores still take such numbers from the server, which may have kept them
 * from before the rule.
 */
function jsonKind(
  node: unknown,
  exactNumbers: boolean,
): typeof LEAF | typeof ARRAY | typeof OBJECT | string {
  switch (typeof node) {
    case 'string':
    case 'boolean':
      return LEAF;
    case 'number':
      if (!Number.isFinite(node)) return `is ${node}, which JSON cannot represent`;
      if (exactNumbers && isInexactInteger(node)) {
        return `is an integer beyond ±(2^53 − 1) (Number.MAX_SAFE_INTEGER), which a JSON number cannot hold exactly (it reads as ${node}); store big integers as strings (a BigInt as String(n))`;
      }
      return LEAF;
    case 'object': {
      if (node === null) return LEAF;
      if (Array.isArray(node)) return ARRAY;
      const proto = Object.getPrototypeOf(node);
      if (proto === Object.prototype || proto === null) return OBJECT;
      return `is a ${proto?.constructor?.name ?? 'non-plain object'}, not a plain object`;
    }
    default:
      return `is ${typeof node === 'undefined' ? 'undefined' : `a ${typeof node}`}, which JSON cannot represent`;
  }
}

/**
 * Whether `node` is plain JSON, without saying where it is not: no path is spelled and no
 * entry pair is made on the way. Stores check every record and every metadata value they
 * commit, so a pulled page's thousand records and the scheduler's history go through it
 * on each commit. A cycle, or nesting past `QUICK_CHECK_DEPTH`, answers false.
 */
function isPlainJson(node: unknown, depth: number, exactNumbers: boolean): boolean {
  const kind = jsonKind(node, exactNumbers);
  if (kind === LEAF) return true;
  if (typeof kind === 'string' || depth >= QUICK_CHECK_DEPTH) return false;
  if (kind === ARRAY) {
    const array = node as unknown[];
    // Indexed, so that a hole reads as undefined and fails, as JSON would turn it into null.
    for (let i = 0; i < array.length; i++) {
      if (!isPlainJson(array[i], depth + 1, exactNumbers)) return false;
    }
    return true;
  }
  const object = node as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!isPlainJson(object[key], depth + 1, exactNumbers)) return false;
  }
  return true;
}

type Step = { node: unknown; path: string } | { leave: object };

/**
 * The first part of `value`, in the order JSON would write it, that JSON cannot carry
 * back unchanged, or undefined. A depth-first walk on an explicit stack; only the
 * ancestors of the current node count as a cycle, so a value shared by two fields passes
 * (JSON writes it twice, and reads back an equal copy of each).
 */
function findNonJson(value: object, exactNumbers: boolean): string | undefined {
  const ancestors = new Set<object>();
  const stack: Step[] = [{ node: value, path: 'value' }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if ('leave' in step) {
      ancestors.delete(step.leave);
      continue;
    }
    const { node, path } = step;
    const kind = jsonKind(node, exactNumbers);
    if (kind === LEAF) continue;
    if (typeof kind === 'string') return `${path} ${kind}`;
    const container = node as Record<string, unknown>;
    if (ancestors.has(container)) return `${path} is a circular reference`;
    const children: Step[] =
      kind === ARRAY
        ? Array.from(container as unknown as unknown[], (child, i) => ({
            node: child,
            path: `${path}[${i}]`,
          }))
        : Object.keys(container).map((k) => ({ node: container[k], path: `${path}.${k}` }));
    ancestors.add(container);
    stack.push({ leave: container });
    // Reversed, so that the first child is taken first.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

/**
 * Explains why `value` is not a JSON object that survives a round trip through JSON
 * unchanged (undefined, functions, NaN, Dates, class instances, cycles…), or returns
 * undefined when it is one. Stores check every commit with it, pulled records included;
 * local writes are held to `describeUnwritableValue`, which refuses big integers too. A
 * quick check answers for the values that pass; only a value that fails it is walked again
 * to name the wrong part by its path.
 */
export function describeNonJsonObject(value: unknown): string | undefined {
  return describeObject(value, false);
}

/**
 * What `describeNonJsonObject` finds, and also an integer beyond ±(2^53 − 1) that JSON text
 * would carry only approximately (see `isInexactInteger`), named by its path: undefined
 * when `value` may be written as a record's value. Clients check every local write with it
 * and the server every written value, so a big integer is refused instead of stored
 * rounded.
 */
export function describeUnwritableValue(value: unknown): string | undefined {
  return describeObject(value, true);
}

function describeObject(value: unknown, exactNumbers: boolean): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'a record value must be a plain JSON object';
  }
  return isPlainJson(value, 0, exactNumbers) ? undefined : findNonJson(value, exactNumbers);
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
