/** The SQLite store passes the shared acceptance suite, with a reopen from its file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeField, HIGH } from '@ferry/client/internal';
import { openSqliteStore } from '@ferry/node';
import { runStoreAcceptanceTests } from '@ferry/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);

runStoreAcceptanceTests('SQLite store', async () => {
  const path = freshPath();
  return { store: openSqliteStore(path), reopen: async () => openSqliteStore(path) };
});

const hexUnits = (text: string) =>
  `${[...text].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('')}!`;

const SCHEMA2_PENDING = { id: 1, op: 'put', space: 's', collection: 'items', key: 'd', value: {} };

/** A file as schema 2 wrote it, with records a, b, c in lists x, y, x, one pending write and a cursor. */
function schema2File(path: string): void {
  const raw = new Database(path);
  // What schema 2 wrote: records keyed by (space, collection, key), entries naming the key
  // in the former encoding (every code unit as four hex digits).
  raw.exec(`
  CREATE TABLE ferry_records (space TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL,
    version INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (space, collection, key)) WITHOUT ROWID;
  CREATE TABLE ferry_outbox (id INTEGER PRIMARY KEY, mutation TEXT NOT NULL);
  CREATE TABLE ferry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE ferry_indexes (collection TEXT NOT NULL, name TEXT NOT NULL, fields TEXT NOT NULL,
    PRIMARY KEY (collection, name)) WITHOUT ROWID;
  CREATE TABLE ferry_index_entries (space TEXT NOT NULL, collection TEXT NOT NULL, name TEXT NOT NULL,
    entry TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (space, collection, name, entry)) WITHOUT ROWID;
  CREATE INDEX ferry_index_entries_by_key ON ferry_index_entries (space, collection, key);
  PRAGMA user_version = 2;`);
  raw.prepare('INSERT INTO ferry_indexes VALUES (?, ?, ?)').run('items', 'byList', '["list"]');
  const put = raw.prepare('INSERT INTO ferry_records VALUES (?, ?, ?, ?, ?)');
  const entry = raw.prepare('INSERT INTO ferry_index_entries VALUES (?, ?, ?, ?, ?)');
  for (const [key, list] of [
    ['a', 'x'],
    ['b', 'y'],
    ['c', 'x'],
  ] as const) {
    put.run('s', 'items', key, 1, JSON.stringify({ list }));
    entry.run('s', 'items', 'byList', `5${hexUnits(list)}${hexUnits(key)}`, key);
  }
  raw.prepare('INSERT INTO ferry_outbox VALUES (1, ?)').run(JSON.stringify(SCHEMA2_PENDING));
  raw.prepare('INSERT INTO ferry_meta VALUES (?, ?)').run('cursor', '"c1"');
  raw.close();
}

describe('SQLite store specifics', () => {
  it('uses WAL, and other connections can read while it is open', async () => {
    const path = freshPath();
    const store = openSqliteStore(path);
    await store.commit({
      putRecords: [{ space: 's', collection: 'c', key: 'k', version: 3, value: { a: 1 } }],
    });
    const reader = openSqliteStore(path, { readonly: true });
    expect(await reader.getRecord({ space: 's', collection: 'c', key: 'k' })).toMatchObject({
      version: 3,
      value: { a: 1 },
    });
    await expect(reader.commit({})).rejects.toThrow(/read-only/);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT value FROM ferry_records').pluck().get()).toBe('{"a":1}');
    raw.close();
    await reader.close();
    await store.close();
  });

  it('refuses a file written by a newer schema', () => {
    const path = freshPath();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openSqliteStore(path)).toThrow(/newer version/);
  });

  it('upgrades a file of schema 2, keeps its records, outbox and metadata and rebuilds its indexes', async () => {
    const path = freshPath();
    schema2File(path);
    const byList = { collection: 'items', name: 'byList', fields: ['list'] };
    const store = openSqliteStore(path);
    await store.defineIndexes([byList]);
    const x = encodeField('x');
    const listX = { space: 's', collection: 'items', index: 'byList', lower: x, upper: x + HIGH };
    const keysOf = async () => (await store.scanIndex(listX, 'asc')).map((r) => r.key);
    expect(await keysOf()).toEqual(['a', 'c']);
    expect(await store.listOutbox()).toEqual([SCHEMA2_PENDING]);
    expect(await store.getMeta('cursor')).toBe('c1');
    // Entries follow writes made after the upgrade: a record moved out, one deleted, one added.
    await store.commit({
      deleteRecords: [{ space: 's', collection: 'items', key: 'c' }],
      putRecords: [
        { space: 's', collection: 'items', key: 'a', version: 2, value: { list: 'y' } },
        { space: 's', collection: 'items', key: 'e', version: 2, value: { list: 'x' } },
      ],
    });
    expect(await keysOf()).toEqual(['e']);
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(3);
    expect(check.prepare('SELECT count(*) FROM ferry_index_entries').pluck().get()).toBe(3);
    check.close();
  });

  it('opened read-only on a file of schema 2, offers no index rather than misread its entries', async () => {
    const path = freshPath();
    schema2File(path);
    const reader = openSqliteStore(path, { readonly: true });
    expect((await reader.listRecords('s', 'items')).map((r) => r.key)).toEqual(['a', 'b', 'c']);
    await expect(
      reader.scanIndex({ space: 's', collection: 'items', index: 'byList' }, 'asc'),
    ).rejects.toThrow(/No index "byList" is declared/);
    await expect(
      reader.defineIndexes([{ collection: 'items', name: 'byList', fields: ['list'] }]),
    ).rejects.toThrow(/read-only and keeps other indexes/);
    await reader.close();
  });

  it('lists keys in the same order as the memory store, beyond ASCII too', async () => {
    const store = openSqliteStore(freshPath());
    const keys = ['b', '\u{1F600}', '\uFF5E', 'a', 'É'];
    await store.commit({
      putRecords: keys.map((key) => ({ space: 's', collection: 'c', key, version: 1, value: {} })),
    });
    const expected = [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect((await store.listRecords('s', 'c')).map((r) => r.key)).toEqual(expected);
    await store.close();
  });
});
