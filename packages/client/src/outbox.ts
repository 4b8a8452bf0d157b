/**
 * The outbox held in memory, mirroring the store's after every commit. It is loaded once
 * when the client opens and is usually small, so views read it without touching the store.
 */
import type { OutboxEntry } from './store.ts';

export class Outbox {
  /** Ascending id order: entries are only ever added with ids above every existing one. */
  #entries: OutboxEntry[];

  constructor(entries: readonly OutboxEntry[]) {
    this.#entries = [...entries].sort((a, b) => a.id - b.id);
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
  }

  /** Removes these ids and returns the removed entries. */
  remove(ids: ReadonlySet<number>): OutboxEntry[] {
    const removed = this.#entries.filter((entry) => ids.has(entry.id));
    this.#entries = this.#entries.filter((entry) => !ids.has(entry.id));
    return removed;
  }

  /** Removes every entry with an id at most `id` and returns them. */
  removeThrough(id: number): OutboxEntry[] {
    const removed = this.#entries.filter((entry) => entry.id <= id);
    this.#entries = this.#entries.filter((entry) => entry.id > id);
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
    return this.#entries.filter(
      (e) => e.space === space && e.collection === collection && e.key === key,
    );
  }

  /** One collection's entries grouped by key, each group in id order. */
  forCollection(space: string, collection: string): Map<string, OutboxEntry[]> {
    const byKey = new Map<string, OutboxEntry[]>();
    for (const entry of this.#entries) {
      if (entry.space !== space || entry.collection !== collection) continue;
      const group = byKey.get(entry.key);
      if (group === undefined) byKey.set(entry.key, [entry]);
      else group.push(entry);
    }
    return byKey;
  }
}
