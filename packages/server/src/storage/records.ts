/** Reading and writing the latest state of records, a batch at a time. */
import type { JsonObject } from '@ferry/protocol';
import type { Queryable } from '../db/driver.ts';

export interface RecordAddress {
  space: string;
  collection: string;
  key: string;
}

export interface RecordState {
  /** JSON text, null for a tombstone. */
  text: string | null;
  /** Parsed value, filled lazily when a patch or a rule needs it. */
  parsed?: JsonObject | null;
  version: number;
}

export const addressOf = (a: RecordAddress) => JSON.stringify([a.space, a.collection, a.key]);

export function parsedValue(state: RecordState | undefined): JsonObject | null {
  if (!state || state.text === null) return null;
  state.parsed ??= JSON.parse(state.text) as JsonObject;
  return state.parsed;
}

/** The current state of each distinct address, in one statement. */
export async function loadRecords(
  db: Queryable,
  addresses: readonly RecordAddress[],
): Promise<Map<string, RecordState>> {
  const unique = new Map<string, RecordAddress>();
  for (const a of addresses) unique.set(addressOf(a), a);
  const records = new Map<string, RecordState>();
  if (unique.size === 0) return records;
  const list = [...unique.values()];
  const rows = await db.query<RecordAddress & { value: string | null; version: string | number }>(
    `SELECT r.space, r.collection, r.key, r.value, r.version
     FROM unnest($1::text[], $2::text[], $3::text[]) AS a(space, collection, key)
     JOIN ferry_records r ON r.space = a.space AND r.collection = a.collection AND r.key = a.key`,
    [list.map((a) => a.space), list.map((a) => a.collection), list.map((a) => a.key)],
  );
  for (const r of rows) records.set(addressOf(r), { text: r.value, version: Number(r.version) });
  return records;
}

/** Upserts the final state of each address (each at most once), in one statement. */
export async function writeRecords(
  db: Queryable,
  rows: readonly (RecordAddress & { state: RecordState })[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO ferry_records (space, collection, key, value, version)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
     ON CONFLICT (space, collection, key)
     DO UPDATE SET value = excluded.value, version = excluded.version, committed_at = now()`,
    [
      rows.map((r) => r.space),
      rows.map((r) => r.collection),
      rows.map((r) => r.key),
      rows.map((r) => r.state.text),
      rows.map((r) => r.state.version),
    ],
  );
}
