/**
 * The local view: the server's state (the base) with the outbox re-applied on top in id
 * order. Because the view is recomputed from both every time, a pulled change to the base
 * is rebased under pending mutations for free, and dropping a rejected mutation from the
 * outbox rolls its effect back.
 */
import { applyPatch, copyJson, type JsonObject } from '@ferry/protocol';
import type { OutboxEntry, StoredRecord } from './store.ts';

/** A record as the app sees it. */
export interface Row<T extends JsonObject = JsonObject> {
  key: string;
  value: T;
  /** The version of the server's state under this row, or null when the server has none. */
  version: number | null;
  /** True while local mutations of this record wait in the outbox. */
  pending: boolean;
}

/** The value after one mutation; undefined means the record does not exist. */
export function applyMutation(
  current: JsonObject | undefined,
  mutation: OutboxEntry,
): JsonObject | undefined {
  switch (mutation.op) {
    case 'put':
      return mutation.value;
    case 'patch':
      // Patching a missing record creates it, as the server does.
      return applyPatch(current, mutation.value);
    case 'delete':
      return undefined;
  }
}

/**
 * One record's row, or undefined when the record does not exist locally. `pending` must
 * be in ascending id order. The value is a fresh copy the caller may keep or change: the
 * base record is one already (stores return copies), and a value built from outbox
 * entries, which the engine keeps, is copied here.
 */
export function overlayRecord(
  key: string,
  base: StoredRecord | undefined,
  pending: readonly OutboxEntry[],
): Row | undefined {
  let value: JsonObject | undefined = base?.value;
  for (const mutation of pending) value = applyMutation(value, mutation);
  if (value === undefined) return undefined;
  return {
    key,
    value: pending.length === 0 ? value : copyJson(value),
    version: base?.version ?? null,
    pending: pending.length > 0,
  };
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The rows of one collection in ascending key order. `base` holds the collection's stored
 * records; `pendingByKey` its outbox entries grouped by key, each group in id order.
 */
export function overlayCollection(
  base: readonly StoredRecord[],
  pendingByKey: ReadonlyMap<string, readonly OutboxEntry[]>,
): Row[] {
  const baseByKey = new Map(base.map((record) => [record.key, record]));
  const keys = new Set([...baseByKey.keys(), ...pendingByKey.keys()]);
  const rows: Row[] = [];
  for (const key of keys) {
    const row = overlayRecord(key, baseByKey.get(key), pendingByKey.get(key) ?? []);
    if (row !== undefined) rows.push(row);
  }
  return rows.sort((a, b) => compareKeys(a.key, b.key));
}
