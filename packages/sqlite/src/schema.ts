/**
 * The SQLite schema of Ferry's stores, versioned with `PRAGMA user_version` so that a later
 * version can migrate files written by this one, and this one refuses files it does not
 * understand instead of misreading them. The same schema on every driver: a file written
 * in Node opens on a phone and the other way round.
 */
import { all, exec, type Work } from './work.ts';

export const SCHEMA_VERSION = 3;

const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `CREATE TABLE ferry_records (
     space TEXT NOT NULL,
     collection TEXT NOT NULL,
     key TEXT NOT NULL,
     version INTEGER NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (space, collection, key)
   ) WITHOUT ROWID;
   CREATE TABLE ferry_outbox (id INTEGER PRIMARY KEY, mutation TEXT NOT NULL);
   CREATE TABLE ferry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
  // 1 → 2: declared indexes. Each record of an indexed collection has one row per index,
  // its entry the order-preserving string of `indexEntry` (the same on every store: an
  // expression index over json_extract would order null like a missing field, booleans
  // among numbers, and strings by UTF-8 bytes rather than UTF-16 code units).
  `CREATE TABLE ferry_indexes (
     collection TEXT NOT NULL,
     name TEXT NOT NULL,
     fields TEXT NOT NULL,
     PRIMARY KEY (collection, name)
   ) WITHOUT ROWID;
   CREATE TABLE ferry_index_entries (
     space TEXT NOT NULL,
     collection TEXT NOT NULL,
     name TEXT NOT NULL,
     entry TEXT NOT NULL,
     key TEXT NOT NULL,
     PRIMARY KEY (space, collection, name, entry)
   ) WITHOUT ROWID;
   CREATE INDEX ferry_index_entries_by_key ON ferry_index_entries (space, collection, key);`,
  // 2 → 3: records get an integer id, and index entries name their record by it. An index
  // read joins 50 entries to their records in about two thirds of the time a look-up by
  // (space, collection, key) took. The id is an INTEGER PRIMARY KEY so that VACUUM keeps it.
  // Entries are also written shorter from this schema on (plain text stands for itself), so
  // the old ones and their declarations go: the client rebuilds its indexes when it opens.
  `CREATE TABLE ferry_records_3 (
     id INTEGER PRIMARY KEY,
     space TEXT NOT NULL,
     collection TEXT NOT NULL,
     key TEXT NOT NULL,
     version INTEGER NOT NULL,
     value TEXT NOT NULL,
     UNIQUE (space, collection, key)
   );
   INSERT INTO ferry_records_3 (space, collection, key, version, value)
     SELECT space, collection, key, version, value FROM ferry_records;
   DROP TABLE ferry_records;
   ALTER TABLE ferry_records_3 RENAME TO ferry_records;
   DROP TABLE ferry_index_entries;
   DELETE FROM ferry_indexes;
   CREATE TABLE ferry_index_entries (
     space TEXT NOT NULL,
     collection TEXT NOT NULL,
     name TEXT NOT NULL,
     entry TEXT NOT NULL,
     record INTEGER NOT NULL,
     PRIMARY KEY (space, collection, name, entry)
   ) WITHOUT ROWID;
   CREATE INDEX ferry_index_entries_by_record ON ferry_index_entries (record);`,
];

/** The schema version of an open database (0 for a new file). */
export function* schemaVersion(): Work<number> {
  const [row] = yield all('PRAGMA user_version');
  return Number(row?.user_version ?? 0);
}

/** Brings the schema up to date; run inside a write transaction. */
export function* migrate(upgradeHint: string): Work<void> {
  const current = yield* schemaVersion();
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `This Ferry store was written by a newer version (schema ${current}, this one knows up to ${SCHEMA_VERSION}); upgrade ${upgradeHint} to open it.`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  for (let version = current; version < SCHEMA_VERSION; version++) {
    yield exec(MIGRATIONS[version]!);
  }
  yield exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
}
