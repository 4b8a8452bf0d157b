/**
 * The outbox held in memory, mirroring the store's after every commit. It is loaded once
 * when the client opens and is usually small, so views read it without touching the store.
 */
import type { IndexDefinition } from './index-key.ts';
import { PendingIndex } from './pending-index.ts';
import type { PendingWrites } from './query.ts';
import type { OutboxEntry } from './store.ts';

const collectionId = (space: string, collection: string) => `${space}\u0000${collection}`;

export class Outbox {
  /** Ascending id order: entries are only ever added with ids above every existing one. */
  #entries: OutboxEntry[];
  /**
   * The same entries by collection, then key, each group in id order: a query reads its
   * collection's pending writes without going over every other one (a bulk write leaves
   * thousands). A group only grows in place or is replaced by a new array, and its
   * entries never change: queries remember what a group's writes give by its identity and
   * length (pending-entries.ts).
   */
  #byCollection = new Map<string, Map<string, OutboxEntry[]>>();
  /** By collection, the orders of its pending keys that queries asked for, told of changes. */
  #indexes = new Map<string, Map<IndexDefinition, PendingIndex>>();

  constructor(entries: readonly OutboxEntry[]) {
    this.#entries = [...entries].sort((a, b) => a.id - b.id);
    for (const entry of this.#entries) this.#group(entry);
  }

  #group(entry: OutboxEntry): void {
    const id = collectionId(entry.space, entry.collection);
    let byKey = this.#byCollection.get(id);
    if (byKey === undefined) {
      byKey = new Map();
      this.#byCollection.set(id, byKey);
    }
    const group = byKey.get(entry.key);
    if (group === undefined) byKey.set(entry.key, [entry]);
    else group.push(entry);
    this.#changed(id, entry.key);
  }

  #changed(id: string, key: string): void {
    const indexes = this.#indexes.get(id);
    if (indexes !== undefined) for (const index of indexes.values()) index.changed(key);
  }

  #ungroup(removed: readonly OutboxEntry[]): void {
    const gone = new Set(removed.map((entry) => entry.id));
    for (const entry of removed) {
      const id = collectionId(entry.space, entry.collection);
      const byKey = this.#byCollection.get(id);
      const group = byKey?.get(entry.key);
      if (byKey === undefined || group === undefined) continue;
      const kept = group.filter((e) => !gone.has(e.id));
      if (kept.length > 0) byKey.set(entry.key, kept);
      else byKey.delete(entry.key);
      this.#changed(id, entry.key);
      if (byKey.size === 0) this.#byCollection.delete(id);
    }
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The lowest id, or infinity when empty. */
  get firstId(): number {
    return this.#entries[0]?.id ?? Number.POSITIVE_INFINITY;
  }

  /** The highest id, or 0 when empty. */
  get lastId(): number {
    return this.#entries.at(-1)?.id ?? 0;
  }

  add(entry: OutboxEntry): void {
    this.#entries.push(entry);
    this.#group(entry);
  }

  /** Removes these ids and returns the removed entries. */
  remove(ids: ReadonlySet<number>): OutboxEntry[] {
    const removed = this.#entries.filter((entry) => ids.has(entry.id));
    this.#entries = this.#entries.filter((entry) => !ids.has(entry.id));
    this.#ungroup(removed);
    return removed;
  }

  /** Removes every entry with an id at most `id` and returns them. */
  removeThrough(id: number): OutboxEntry[] {
    const removed = this.#entries.filter((entry) => entry.id <= id);
    this.#entries = this.#entries.filter((entry) => entry.id > id);
    this.#ungroup(removed);
    return removed;
  }

  /** Entries with an id above `id`, in id order. */
  after(id: number): OutboxEntry[] {
    return this.#entries.filter((entry) => entry.id > id);
  }

  find(id: number): OutboxEntry | undefined {
    return this.#entries.find((entry) => entry.id === id);
  }

  forRecord(space: string, collection: string, key: string): OutboxEntry[] {
    return [...(this.#byCollection.get(collectionId(space, collection))?.get(key) ?? [])];
  }

  /**
   * One collection's entries grouped by key, each group in id order. The map is the
   * outbox's own: it changes with the outbox, so read it before the next commit (callers
   * hold the engine's lock).
   */
  forCollection(space: string, collection: string): ReadonlyMap<string, readonly OutboxEntry[]> {
    return this.#byCollection.get(collectionId(space, collection)) ?? EMPTY;
  }

  /**
   * One collection's pending writes as queries read them: by key (`forCollection`), and in
   * the order of an index. Read them under the engine's lock.
   */
  pendingWrites(space: string, collection: string): PendingWrites {
    return {
      byKey: this.forCollection(space, collection),
      inIndex: (def) => this.#pendingIndex(space, collection, def),
    };
  }

  /** Kept for the next query, and told of every change (a client's definitions stay the same objects). */
  #pendingIndex(space: string, collection: string, def: IndexDefinition): PendingIndex {
    const id = collectionId(space, collection);
    let indexes = this.#indexes.get(id);
    if (indexes === undefined) {
      indexes = new Map();
      this.#indexes.set(id, indexes);
    }
    let index = indexes.get(def);
    if (index === undefined) {
      index = new PendingIndex(def, () => this.forCollection(space, collection));
      indexes.set(def, index);
    }
    return index;
  }
}

const EMPTY: ReadonlyMap<string, readonly OutboxEntry[]> = new Map();
