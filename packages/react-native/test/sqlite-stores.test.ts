/**
 * The phone stores: the SQL of @ferry/sqlite through the expo-sqlite and op-sqlite
 * adapters, each on a fake of its driver that follows the driver's documented contract on
 * real SQLite (test/support), with the store acceptance suite and what each adapter
 * promises about transactions, durability and closing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxEntry } from '@ferry/client';
import type { MutationId, SpaceId } from '@ferry/protocol';
import { openExpoSqliteStore, openOpSqliteStore } from '@ferry/react-native';
import { runStoreAcceptanceTests } from '@ferry/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openFakeExpoDatabase } from './support/fake-expo-sqlite.ts';
import { openFakeOpDatabase } from './support/fake-op-sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-phone-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);

const record = (key: string) => ({ space: 's', collection: 'c', key, version: 1, value: { key } });
const entry = (id: number): OutboxEntry => ({
  id: id as MutationId,
  space: 's' as SpaceId,
  collection: 'c',
  key: `k${id}`,
  op: 'put',
  value: { id },
});

runStoreAcceptanceTests('expo-sqlite store (fake driver on better-sqlite3)', async () => {
  const path = freshPath();
  return {
    store: await openExpoSqliteStore(openFakeExpoDatabase(path)),
    reopen: () => openExpoSqliteStore(openFakeExpoDatabase(path)),
  };
});

runStoreAcceptanceTests('op-sqlite store (fake driver on better-sqlite3)', async () => {
  const path = freshPath();
  return {
    store: await openOpSqliteStore(openFakeOpDatabase(path)),
    reopen: () => openOpSqliteStore(openFakeOpDatabase(path)),
  };
});

function pragmas(path: string) {
  const raw = new Database(path, { readonly: true });
  try {
    return { journal: raw.pragma('journal_mode', { simple: true }) };
  } finally {
    raw.close();
  }
}

describe('expo-sqlite store', () => {
  it('commits in an exclusive transaction that sets its lock wait and writes first, and nothing of it on the main connection', async () => {
    const path = freshPath();
    const db = openFakeExpoDatabase(path);
    const store = await openExpoSqliteStore(db, { busyTimeoutMs: 1234 });
    const before = db.calls.length;
    await store.commit({ putRecords: [record('a')], addOutbox: [entry(1)] });
    const calls = db.calls.slice(before);
    expect(calls.every((call) => call.connection !== 'main')).toBe(true);
    expect(calls.map((call) => call.sql)).toEqual([
      'BEGIN',
      'PRAGMA busy_timeout = 1234',
      'DELETE FROM ferry_meta WHERE 0',
      expect.stringMatching(/^SELECT id FROM ferry_outbox/),
      expect.stringMatching(/^INSERT INTO ferry_records/),
      expect.stringMatching(/^INSERT INTO ferry_outbox/),
      'COMMIT',
    ]);
    await store.close();
  });

  it('puts the file in WAL mode with synchronous FULL on the main connection', async () => {
    const path = freshPath();
    const db = openFakeExpoDatabase(path);
    const store = await openExpoSqliteStore(db);
    const main = db.calls.filter((c) => c.connection === 'main').map((c) => c.sql);
    expect(main).toEqual(
      expect.arrayContaining(['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = FULL']),
    );
    expect(pragmas(path).journal).toBe('wal');
    await store.close();
  });

  it('rolls back a commit whose batch turns out to reuse an outbox id, and keeps the rest', async () => {
    const db = openFakeExpoDatabase(freshPath());
    const store = await openExpoSqliteStore(db);
    await store.commit({ addOutbox: [entry(1)] });
    await expect(
      store.commit({ putRecords: [record('b')], addOutbox: [entry(1)] }),
    ).rejects.toThrow(/already taken/);
    expect(db.calls.at(-1)).toMatchObject({ method: 'execAsync', sql: 'ROLLBACK' });
    expect(await store.listRecords('s', 'c')).toEqual([]);
    expect((await store.listOutbox()).map((e) => e.id)).toEqual([1]);
    await store.close();
  });

  it('closes the database it was given, once, after the calls already made', async () => {
    const db = openFakeExpoDatabase(freshPath());
    const store = await openExpoSqliteStore(db);
    const committing = store.commit({ putRecords: [record('a')] });
    await store.close();
    await committing;
    await store.close();
    expect(db.closed).toBe(true);
    expect(db.calls.filter((c) => c.method === 'closeAsync')).toHaveLength(1);
  });
});

describe('op-sqlite store', () => {
  it('commits through transaction(), every statement on its tx, the first a write', async () => {
    const db = openFakeOpDatabase(freshPath());
    const store = await openOpSqliteStore(db);
    const before = db.calls.length;
    await store.commit({ putRecords: [record('a')], setMeta: { cursor: 'x' } });
    const calls = db.calls.slice(before);
    expect(calls.every((call) => call.viaTransaction)).toBe(true);
    expect(calls[0]?.sql).toBe('DELETE FROM ferry_meta WHERE 0');
    expect(calls).toHaveLength(3);
    await store.close();
  });

  it('sets WAL and synchronous FULL by default, NORMAL when asked', async () => {
    for (const [options, expected] of [
      [{}, 'PRAGMA synchronous = FULL'],
      [{ synchronous: 'normal' as const }, 'PRAGMA synchronous = NORMAL'],
    ] as const) {
      const path = freshPath();
      const db = openFakeOpDatabase(path);
      const store = await openOpSqliteStore(db, options);
      const sql = db.calls.map((call) => call.sql);
      expect(sql).toContain('PRAGMA journal_mode = WAL');
      expect(sql).toContain(expected);
      expect(pragmas(path).journal).toBe('wal');
      await store.close();
    }
  });

  it('closes the database it was given', async () => {
    const db = openFakeOpDatabase(freshPath());
    const store = await openOpSqliteStore(db);
    await store.close();
    expect(db.closed).toBe(true);
    await expect(store.getMeta('cursor')).rejects.toThrow(/closed/i);
  });
});

describe('one schema on every driver', () => {
  it('opens with op-sqlite a file written through expo-sqlite', async () => {
    const path = freshPath();
    const written = await openExpoSqliteStore(openFakeExpoDatabase(path));
    await written.commit({ putRecords: [record('a')], addOutbox: [entry(7)], setMeta: { n: 1 } });
    await written.close();
    const read = await openOpSqliteStore(openFakeOpDatabase(path));
    expect(await read.listRecords('s', 'c')).toEqual([record('a')]);
    expect(await read.listOutbox()).toEqual([entry(7)]);
    expect(await read.getMeta('n')).toBe(1);
    await read.close();
  });
});
