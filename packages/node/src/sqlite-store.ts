/**
 * A durable `Store` on SQLite (better-sqlite3), for Node and Electron. One file holds the
 * client's records, outbox and metadata; each `commit` is one SQLite transaction in WAL
 * mode, so after a crash (or `kill -9`) either the whole batch is there or none of it. With
 * the default `synchronous: 'full'` a commit that returned also survives a power cut.
 *
 * The SQL is `@ferry/sqlite`'s, the same as on phones; this file only runs it on
 * better-sqlite3, synchronously, with each statement prepared once and each commit in one
 * `BEGIN IMMEDIATE` transaction.
 *
 * Other programs may read the file while a client writes it (WAL lets readers and one
 * writer work at once): `ferry_records(id, space, collection, key, version, value)` holds the
 * server's records as JSON text. Only one client may write a file at a time.
 */
import type { Store } from '@ferry/client';
import { openSyncSqliteStore, type SqlRow, type SyncSqliteExecutor } from '@ferry/sqlite';
import Database from 'better-sqlite3';

export interface SqliteStoreOptions {
  /**
   * 'full' (default): a commit that returned survives a power cut. 'normal': it survives a
   * crash of the process but the last commits may be lost if the machine loses power.
   */
  synchronous?: 'full' | 'normal';
  /** How long to wait for a lock held by another connection; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Open for reading only (a tool looking at a file a client keeps in sync). */
  readonly?: boolean;
}

/** better-sqlite3 as the SQL store's synchronous executor. */
function betterSqlite3Executor(db: Database.Database): SyncSqliteExecutor {
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (found === undefined) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  };
  return {
    kind: 'sync',
    all: (sql, params) => statement(sql).all(...params) as SqlRow[],
    run: (sql, params) => {
      statement(sql).run(...params);
    },
    exec: (sql) => {
      db.exec(sql);
    },
    transaction: (work) => db.transaction(work).immediate(),
    close: () => {
      db.close();
    },
  };
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const db = new Database(path, { readonly, fileMustExist: readonly });
  // Closes the database itself if the file cannot be opened as a store.
  return openSyncSqliteStore(betterSqlite3Executor(db), {
    ...options,
    readonly,
    name: path,
    upgradeHint: '@ferry/node',
  });
}
