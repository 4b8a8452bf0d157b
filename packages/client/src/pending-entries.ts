/**
 * The index entry a key's pending writes give it, remembered between queries when it does
 * not depend on the stored record (the key's writes start with a put or a delete). After a
 * bulk write of 20,000 records every query of the collection looks at each of them to see
 * which land in its range; working out their entries again each time made such a query cost
 * about 24 ms.
 *
 * A key's group of outbox entries only grows in place or is replaced by a new array
 * (outbox.ts), and entries never change, so a group's identity and length name its writes.
 */
import type { JsonObject } from '@ferry/protocol';
import { type IndexDefinition, indexEntry } from './index-key.ts';
import { applyMutation } from './overlay.ts';
import type { OutboxEntry } from './store.ts';

interface Remembered {
  length: number;
  /** The entry in each index (a client's definitions stay the same objects); null for a delete. */
  entries: Map<IndexDefinition, string | null>;
}

const remembered = new WeakMap<readonly OutboxEntry[], Remembered>();

/**
 * The entry of the value `writes` leave on `base` in the index; undefined when they leave
 * no value (a delete).
 */
export function pendingEntry(
  def: IndexDefinition,
  key: string,
  writes: readonly OutboxEntry[],
  base: JsonObject | undefined,
): string | undefined {
  const standalone = writes[0]?.op !== 'patch';
  if (!standalone) return entryOf(def, key, writes, base);
  let known = remembered.get(writes);
  if (known === undefined || known.length !== writes.length) {
    known = { length: writes.length, entries: new Map() };
    remembered.set(writes, known);
  }
  const cached = known.entries.get(def);
  if (cached !== undefined) return cached ?? undefined;
  const entry = entryOf(def, key, writes, undefined);
  known.entries.set(def, entry ?? null);
  return entry;
}

function entryOf(
  def: IndexDefinition,
  key: string,
  writes: readonly OutboxEntry[],
  base: JsonObject | undefined,
): string | undefined {
  let value = base;
  for (const write of writes) value = applyMutation(value, write);
  return value === undefined ? undefined : indexEntry(def.fields, value, key);
}
