/**
 * A change as the wire carries it, written around the stored value's JSON text as it is.
 * Pulls have the database write the same text (storage/pull.ts); this writes a poke's.
 */
export interface StoredChange {
  space: string;
  collection: string;
  key: string;
  version: number | string;
  /** The stored JSON text; null for a deletion. */
  value: string | null;
}

export function changeJson(c: StoredChange): string {
  return `{"space":${JSON.stringify(c.space)},"collection":${JSON.stringify(c.collection)},"key":${JSON.stringify(c.key)},"version":${Number(c.version)},"value":${c.value ?? 'null'}}`;
}
