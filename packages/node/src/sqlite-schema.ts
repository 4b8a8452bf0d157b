/**
 * The SQLite schema of the Node store, versioned with `PRAGMA user_version` so that a
 * later version can migrate files written by this one, and this one refuses files it
 * does not understand instead of misreading them.
 */
import type Database from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

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
];

export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `This Ferry store was written by a newer version (schema ${current}, this one knows up to ${SCHEMA_VERSION}); upgrade @ferry/node to open it.`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version]!);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
