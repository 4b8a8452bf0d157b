/**
 * A durable `Store` on SQLite (better-sqlite3), for Node and Electron. One file holds the
 * client's records, outbox and metadata; each `commit` is one SQLite transaction in WAL
 * mode, so after a crash (or `kill -9`) either the whole batch is there or none of it. With
 * the default `synchronous: 'full'` a commit that returned also survives a power cut.
 *
 * Other programs may read the file while a client writes it (WAL lets readers and one
 * writer work at once): `ferry_records(space, collection, key, version, value)` holds the
 * server's records as JSON text. Only one client may write a file at a time.
 */
import { FerryClosedError, type Store, type StoreBatch } from '@ferry/client';
import { checkStoreBatch } from '@ferry/client/internal';
import type { JsonValue } from '@ferry/protocol';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-schema.ts';

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

/** SQLite compares UTF-8 bytes; keys are listed in UTF-16 order like every other store. */
const byKey = (a: { key: string }, b: { key: string }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const db = new Database(path, { readonly, fileMustExist: readonly });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    migrate(db);
  }

  const sql = {
    getRecord: db.prepare<[string, string, string], { version: number; value: string }>(
      'SELECT version, value FROM ferry_records WHERE space = ? AND collection = ? AND key = ?',
    ),
    listRecords: db.prepare<[string, string], { key: string; version: number; value: string }>(
      'SELECT key, version, value FROM ferry_records WHERE space = ? AND collection = ?',
    ),
    listOutbox: db.prepare<[], { mutation: string }>(
      'SELECT mutation FROM ferry_outbox ORDER BY id',
    ),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM ferry_meta WHERE key = ?'),
  };
  const write = readonly ? undefined : prepareWrites(db);

  let closed = false;
  const assertOpen = () => {
    if (closed) throw new FerryClosedError('store');
  };

  return {
    async getRecord(address) {
      assertOpen();
      const row = sql.getRecord.get(address.space, address.collection, address.key);
      if (row === undefined) return undefined;
      return { ...address, version: row.version, value: JSON.parse(row.value) };
    },
    async listRecords(space, collection) {
      assertOpen();
      return sql.listRecords
        .all(space, collection)
        .sort(byKey)
        .map((row) => ({
          space,
          collection,
          key: row.key,
          version: row.version,
          value: JSON.parse(row.value),
        }));
    },
    async listOutbox() {
      assertOpen();
      return sql.listOutbox.all().map((row) => JSON.parse(row.mutation));
    },
    async getMeta(key) {
      assertOpen();
      const row = sql.getMeta.get(key);
      return row === undefined ? undefined : (JSON.parse(row.value) as JsonValue);
    },
    async commit(batch) {
      assertOpen();
      if (write === undefined) throw new Error(`The store at ${path} was opened read-only.`);
      write(batch);
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** The whole of a commit as one immediate transaction: it holds the write lock from the start. */
function prepareWrites(db: Database.Database): (batch: StoreBatch) => void {
  const sql = {
    clearAll: db.prepare('DELETE FROM ferry_records'),
    clearSpace: db.prepare<[string]>('DELETE FROM ferry_records WHERE space = ?'),
    deleteRecord: db.prepare<[string, string, string]>(
      'DELETE FROM ferry_records WHERE space = ? AND collection = ? AND key = ?',
    ),
    putRecord: db.prepare<[string, string, string, number, string]>(
      'INSERT OR REPLACE INTO ferry_records (space, collection, key, version, value) VALUES (?, ?, ?, ?, ?)',
    ),
    hasOutbox: db.prepare<[number], { id: number }>('SELECT id FROM ferry_outbox WHERE id = ?'),
    removeOutbox: db.prepare<[number]>('DELETE FROM ferry_outbox WHERE id = ?'),
    removeOutboxThrough: db.prepare<[number]>('DELETE FROM ferry_outbox WHERE id <= ?'),
    addOutbox: db.prepare<[number, string]>(
      'INSERT INTO ferry_outbox (id, mutation) VALUES (?, ?)',
    ),
    setMeta: db.prepare<[string, string]>(
      'INSERT OR REPLACE INTO ferry_meta (key, value) VALUES (?, ?)',
    ),
    deleteMeta: db.prepare<[string]>('DELETE FROM ferry_meta WHERE key = ?'),
  };
  const apply = db.transaction((batch: StoreBatch) => {
    checkStoreBatch(batch, (id) => sql.hasOutbox.get(id) !== undefined);
    if (batch.clearAll) sql.clearAll.run();
    for (const space of batch.clearSpaces ?? []) sql.clearSpace.run(space);
    for (const r of batch.deleteRecords ?? []) sql.deleteRecord.run(r.space, r.collection, r.key);
    for (const r of batch.putRecords ?? []) {
      sql.putRecord.run(r.space, r.collection, r.key, r.version, JSON.stringify(r.value));
    }
    for (const id of batch.removeOutbox ?? []) sql.removeOutbox.run(id);
    if (batch.removeOutboxThrough !== undefined) {
      sql.removeOutboxThrough.run(batch.removeOutboxThrough);
    }
    for (const entry of batch.addOutbox ?? []) sql.addOutbox.run(entry.id, JSON.stringify(entry));
    for (const [key, value] of Object.entries(batch.setMeta ?? {})) {
      if (value === undefined) sql.deleteMeta.run(key);
      else sql.setMeta.run(key, JSON.stringify(value));
    }
  });
  return (batch) => apply.immediate(batch);
}
