/**
 * One collection's pending keys in one index's order, so that a query finds the pending rows
 * in its range by binary search instead of looking at every pending key: after a bulk write
 * of 20,000 records, each query of the collection looked at all 20,000.
 *
 * Only keys whose writes start with a put or a delete are placed: their value does not
 * depend on the stored record. Keys whose writes start with a patch are listed apart
 * (`patchFirst`); a query reads their stored records and places them itself.
 *
 * The outbox tells the index which keys changed (`changed`), which costs nothing; the order
 * is brought up to date when a query asks for it (`keysIn`): key by key for a few changes,
 * rebuilt and sorted once after many (a bulk write, a push confirming a batch).
 */
import type { EntryBounds, IndexDefinition } from './index-key.ts';
import { pendingEntry } from './pending-entries.ts';
import type { OutboxEntry } from './store.ts';

/** Past this many keys changed between two queries, the order is rebuilt rather than edited. */
const EDITS_BEFORE_REBUILD = 64;

type Groups = () => ReadonlyMap<string, readonly OutboxEntry[]>;

export class PendingIndex {
  /** Entries of the placed keys, ascending; undefined when it is to be rebuilt. */
  #sorted: string[] | undefined;
  /** A placed key's entry, as it stands in `#sorted`. */
  readonly #entryOf = new Map<string, string>();
  readonly #keyOf = new Map<string, string>();
  readonly #patchFirst = new Set<string>();
  readonly #changed = new Set<string>();

  /** `groups` gives the collection's pending writes by key, as the outbox holds them now. */
  constructor(
    readonly def: IndexDefinition,
    private readonly groups: Groups,
  ) {}

  /** The outbox changed the writes of `key`. */
  changed(key: string): void {
    if (this.#sorted === undefined) return;
    this.#changed.add(key);
    if (this.#changed.size > EDITS_BEFORE_REBUILD) {
      this.#sorted = undefined;
      this.#changed.clear();
    }
  }

  /** Keys whose writes start with a patch: their place depends on their stored record. */
  patchFirst(): ReadonlySet<string> {
    this.#bringUpToDate();
    return this.#patchFirst;
  }

  /** The placed keys whose entry lies within `bounds`, in index order. */
  keysIn(bounds: EntryBounds): string[] {
    const sorted = this.#bringUpToDate();
    const keys: string[] = [];
    let i = bounds.lower === undefined ? 0 : firstAbove(sorted, bounds.lower, !!bounds.lowerOpen);
    for (; i < sorted.length; i++) {
      const entry = sorted[i]!;
      const { upper } = bounds;
      if (upper !== undefined && (bounds.upperOpen ? entry >= upper : entry > upper)) break;
      keys.push(this.#keyOf.get(entry)!);
    }
    return keys;
  }

  #bringUpToDate(): string[] {
    if (this.#sorted === undefined) return this.#rebuild();
    const sorted = this.#sorted;
    const groups = this.groups();
    for (const key of this.#changed) {
      this.#unplace(key, sorted);
      const entry = this.#place(key, groups.get(key));
      if (entry !== undefined) sorted.splice(firstAbove(sorted, entry, false), 0, entry);
    }
    this.#changed.clear();
    return sorted;
  }

  #rebuild(): string[] {
    this.#entryOf.clear();
    this.#keyOf.clear();
    this.#patchFirst.clear();
    const sorted: string[] = [];
    for (const [key, writes] of this.groups()) {
      const entry = this.#place(key, writes);
      if (entry !== undefined) sorted.push(entry);
    }
    // Entries are strings: the default order is that of their UTF-16 code units, as `<`.
    sorted.sort();
    this.#sorted = sorted;
    this.#changed.clear();
    return sorted;
  }

  /** Records where `key` goes; returns its entry when it is placed in the order. */
  #place(key: string, writes: readonly OutboxEntry[] | undefined): string | undefined {
    if (writes === undefined || writes.length === 0) return undefined;
    if (writes[0]!.op === 'patch') {
      this.#patchFirst.add(key);
      return undefined;
    }
    const entry = pendingEntry(this.def, key, writes, undefined);
    if (entry === undefined) return undefined;
    this.#entryOf.set(key, entry);
    this.#keyOf.set(entry, key);
    return entry;
  }

  #unplace(key: string, sorted: string[]): void {
    this.#patchFirst.delete(key);
    const entry = this.#entryOf.get(key);
    if (entry === undefined) return;
    this.#entryOf.delete(key);
    this.#keyOf.delete(entry);
    sorted.splice(firstAbove(sorted, entry, false), 1);
  }
}

/** The first position whose entry is above `bound` (or at it, unless `open`). */
function firstAbove(sorted: readonly string[], bound: string, open: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const entry = sorted[mid]!;
    if (open ? entry <= bound : entry < bound) low = mid + 1;
    else high = mid;
  }
  return low;
}
