/**
 * The memory store's indexes: per space, collection and declared index, the entries of its
 * records kept in one sorted array next to the keys they belong to. A small change is
 * spliced in by binary search; a large one (a pull page) is merged and sorted once.
 */
import { type EntryBounds, type IndexDefinition, indexEntry } from './index-key.ts';
import type { StoredRecord } from './store.ts';

export class SortedEntries {
  entries: string[] = [];
  keys: string[] = [];

  /** The position of the first entry at least `entry` (or above it, with `after`). */
  position(entry: string, after = false): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const here = this.entries[middle]!;
      if (here < entry || (after && here === entry)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Applies removals and additions of entries (each `[entry, key]`). */
  change(removed: readonly string[], added: readonly (readonly [string, string])[]): void {
    if (removed.length + added.length > 64) {
      const gone = new Set(removed);
      const pairs: [string, string][] = [];
      for (let i = 0; i < this.entries.length; i++) {
        if (!gone.has(this.entries[i]!)) pairs.push([this.entries[i]!, this.keys[i]!]);
      }
      for (const [entry, key] of added) pairs.push([entry, key]);
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.entries = pairs.map((p) => p[0]);
      this.keys = pairs.map((p) => p[1]);
      return;
    }
    for (const entry of removed) {
      const at = this.position(entry);
      if (this.entries[at] === entry) {
        this.entries.splice(at, 1);
        this.keys.splice(at, 1);
      }
    }
    for (const [entry, key] of added) {
      const at = this.position(entry);
      this.entries.splice(at, 0, entry);
      this.keys.splice(at, 0, key);
    }
  }

  /** The positions [from, to) of the entries within `bounds`. */
  span(bounds: EntryBounds): [number, number] {
    const from = bounds.lower === undefined ? 0 : this.position(bounds.lower, bounds.lowerOpen);
    const to =
      bounds.upper === undefined
        ? this.entries.length
        : this.position(bounds.upper, !bounds.upperOpen);
    return [from, Math.max(from, to)];
  }
}

/** space → collection → index name → entries */
export type IndexEntries = Map<string, Map<string, Map<string, SortedEntries>>>;

function entriesOf(
  all: IndexEntries,
  space: string,
  collection: string,
  create: boolean,
): Map<string, SortedEntries> | undefined {
  let collections = all.get(space);
  if (collections === undefined) {
    if (!create) return undefined;
    collections = new Map();
    all.set(space, collections);
  }
  let indexes = collections.get(collection);
  if (indexes === undefined && create) {
    indexes = new Map();
    collections.set(collection, indexes);
  }
  return indexes;
}

/**
 * Collects the index changes of record writes, then applies them at once. `before` is the
 * record a write replaces or deletes, `after` the one it writes.
 */
export function indexChanges(all: IndexEntries, definitions: readonly IndexDefinition[]) {
  // Per index: entries to remove that are there now, and entries to add, net of each other.
  const pending = new Map<SortedEntries, { removed: Set<string>; added: Map<string, string> }>();
  const forCollection = new Map<string, IndexDefinition[]>();
  for (const def of definitions) {
    const list = forCollection.get(def.collection) ?? [];
    list.push(def);
    forCollection.set(def.collection, list);
  }
  return {
    record(before: StoredRecord | undefined, after: StoredRecord | undefined): void {
      const sample = before ?? after;
      if (sample === undefined) return;
      const defs = forCollection.get(sample.collection);
      if (defs === undefined) return;
      const indexes = entriesOf(all, sample.space, sample.collection, true)!;
      for (const def of defs) {
        let sorted = indexes.get(def.name);
        if (sorted === undefined) {
          sorted = new SortedEntries();
          indexes.set(def.name, sorted);
        }
        let change = pending.get(sorted);
        if (change === undefined) {
          change = { removed: new Set(), added: new Map() };
          pending.set(sorted, change);
        }
        if (before !== undefined) {
          const entry = indexEntry(def.fields, before.value, before.key);
          if (!change.added.delete(entry)) change.removed.add(entry);
        }
        if (after !== undefined) {
          const entry = indexEntry(def.fields, after.value, after.key);
          if (!change.removed.delete(entry)) change.added.set(entry, after.key);
        }
      }
    },
    apply(): void {
      for (const [sorted, { removed, added }] of pending) sorted.change([...removed], [...added]);
      pending.clear();
    },
  };
}

export function sortedEntries(
  all: IndexEntries,
  space: string,
  collection: string,
  index: string,
): SortedEntries | undefined {
  return entriesOf(all, space, collection, false)?.get(index);
}
