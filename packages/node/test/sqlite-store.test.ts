/** The SQLite store passes the shared acceptance suite, with a reopen from its file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
