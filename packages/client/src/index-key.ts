/**
 * Index entries: one string per record per declared index, the same on every store, so that
 * every store orders rows the same way by comparing plain ASCII strings (JavaScript `<`,
 * SQLite's BINARY collation and IndexedDB's string keys all agree on ASCII).
 *
 * The ordering rule, field by field, then by the record's key:
 *   missing < null < false < true < numbers (by value; -0 is 0) < strings (by UTF-16 code
 *   units, as IndexedDB and JavaScript compare them) < arrays and objects (by their JSON text,
 *   compared as a string).
 *
 * Each field's encoding is a type tag followed by a body that is prefix-free (numbers are a
 * fixed 16 hex digits, strings end with `!`, below every character a string's body holds),
 * so comparing two entries compares their first differing field, and a shorter string sorts
 * before its extensions.
 *
 * A string's code units from `#` to `|` stand for themselves (most text and keys: an entry
 * is about as long as its fields); those below `#` become `"` and one character, those
 * above `|` become `}` and four hex digits. Each form starts with a character of its own
 * range and has a fixed length, so entries compare as the code units they encode.
 */
import type { JsonObject, JsonValue } from '@ferry/protocol';

/** A declared index: the collection it belongs to, its name and the field paths it orders by. */
export interface IndexDefinition {
  collection: string;
  name: string;
  /** Dot-separated paths into the record's value (`'list'`, `'meta.createdAt'`). */
  fields: readonly string[];
}

/** Above every character an entry holds: an entry that starts with `p` is below `p + HIGH`. */
export const HIGH = '~';

const view = new DataView(new ArrayBuffer(8));

function numberBody(value: number): string {
  view.setFloat64(0, value === 0 ? 0 : value);
  let high = view.getUint32(0);
  let low = view.getUint32(4);
  if (high & 0x80000000) {
    high = ~high >>> 0;
    low = ~low >>> 0;
  } else {
    high = (high | 0x80000000) >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/** The lowest and highest code units a string body holds as themselves (`#` and `|`). */
const PLAIN_LOW = 0x23;
const PLAIN_HIGH = 0x7c;

function stringBody(value: string): string {
  let body = '';
  // Start of the run of plain code units not yet copied: they go in one slice.
  let plainFrom = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= PLAIN_LOW && unit <= PLAIN_HIGH) continue;
    body += value.slice(plainFrom, i);
    body +=
      unit < PLAIN_LOW
        ? `"${String.fromCharCode(PLAIN_LOW + unit)}`
        : `}${unit.toString(16).padStart(4, '0')}`;
    plainFrom = i + 1;
  }
  return `${plainFrom === 0 ? value : body + value.slice(plainFrom)}!`;
}

/** One field's encoding; `undefined` stands for a missing field. */
export function encodeField(value: JsonValue | undefined): string {
  if (value === undefined) return '0';
  if (value === null) return '1';
  if (value === false) return '2';
  if (value === true) return '3';
  if (typeof value === 'number') return `4${numberBody(value)}`;
  if (typeof value === 'string') return `5${stringBody(value)}`;
  return `6${stringBody(JSON.stringify(value))}`;
}

/** The value at a dot-separated path, or undefined when some step is missing or not an object. */
export function readPath(value: JsonObject, path: string): JsonValue | undefined {
  // Most indexed fields are top-level: no steps to split.
  if (!path.includes('.') && !Array.isArray(value)) {
    return Object.hasOwn(value, path) ? value[path] : undefined;
  }
  let current: JsonValue | undefined = value;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = Object.hasOwn(current, step) ? current[step] : undefined;
  }
  return current;
}

/** The record's entry in an index ordered by `fields`. */
export function indexEntry(fields: readonly string[], value: JsonObject, key: string): string {
  let entry = '';
  for (const field of fields) entry += encodeField(readPath(value, field));
  return entry + stringBody(key);
}

/** Bounds on entries; an absent bound is open-ended. */
export interface EntryBounds {
  lower?: string;
  lowerOpen?: boolean;
  upper?: string;
  upperOpen?: boolean;
}

export function withinBounds(entry: string, bounds: EntryBounds): boolean {
  const { lower, upper } = bounds;
  if (lower !== undefined && (bounds.lowerOpen ? entry <= lower : entry < lower)) return false;
  if (upper !== undefined && (bounds.upperOpen ? entry >= upper : entry > upper)) return false;
  return true;
}

/** The tighter of two lower bounds and of two upper bounds. */
export function intersectBounds(a: EntryBounds, b: EntryBounds): EntryBounds {
  const result: EntryBounds = { ...a };
  if (b.lower !== undefined) {
    if (result.lower === undefined || b.lower > result.lower) {
      result.lower = b.lower;
      result.lowerOpen = b.lowerOpen ?? false;
    } else if (b.lower === result.lower) result.lowerOpen = !!(result.lowerOpen || b.lowerOpen);
  }
  if (b.upper !== undefined) {
    if (result.upper === undefined || b.upper < result.upper) {
      result.upper = b.upper;
      result.upperOpen = b.upperOpen ?? false;
    } else if (b.upper === result.upper) result.upperOpen = !!(result.upperOpen || b.upperOpen);
  }
  return result;
}

/** True when two lists of definitions declare the same indexes. */
export function sameDefinitions(
  a: readonly IndexDefinition[],
  b: readonly IndexDefinition[],
): boolean {
  const canonical = (defs: readonly IndexDefinition[]) =>
    JSON.stringify(
      defs
        .map((d) => [d.collection, d.name, [...d.fields]])
        .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)),
    );
  return canonical(a) === canonical(b);
}
