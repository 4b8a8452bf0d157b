/**
 * The SQL store's asynchronous code path on real SQLite: the store acceptance suite, and
 * what the queue and the transactions promise, over an executor that behaves as
 * expo-sqlite documents its asynchronous API (see support/async-better-sqlite3.ts). The
 * synchronous path runs the same suite in @ferry/node (better-sqlite3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxEntry, StoredRecord } from '@ferry/client';
import { openAsyncSqliteStore } from '@ferry/sqlite';
import { runStoreAcceptanceTests } from '@ferry/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type AsyncExecutorHooks, asyncBetterSqlite3 } from './support/async-better-sqlite3.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-async-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);
const open = (path: string, hooks?: AsyncExecutorHooks) =>
  openAsyncSqliteStore(asyncBetterSqlite3(path, hooks), { name: path });

runStoreAcceptanceTests('SQL store on an asynchronous executor (better-sqlite3)', async () => {
  const path = freshPath();
  return { store: await open(path), reopen: () => open(path) };
});

const records = (count: number): StoredRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    space: 's',
    collection: 'c',
    key: `k${String(i).padStart(5, '0')}`,
    version: i + 1,
    value: { i },
  }));

describe('SQL store on an asynchronous executor', () => {
  it('puts the file in WAL mode with synchronous FULL, and other connections read it', async () => {
    const path = freshPath();
    const store = await open(path);
    await store.commit({ putRecords: records(1) });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT value FROM ferry_records').pluck().get()).toBe('{"i":0}');
    raw.close();
    await store.close();
  });

  it('answers a read made while a commit is under way after the whole commit, never half of it', async () => {
    const store = await open(freshPath());
    const committing = store.commit({ putRecords: records(2_000), setMeta: { cursor: 'c1' } });
    const [listed, cursor] = await Promise.all([
      store.listRecords('s', 'c'),
      store.getMeta('cursor'),
    ]);
    await committing;
    expect(listed).toHaveLength(2_000);
    expect(cursor).toBe('c1');
    await store.close();
  });

  it('holds the write lock from the first statement of a commit', async () => {
    const path = freshPath();
    let release!: () => void;
    let paused!: () => void;
    const pausedAfterFirst = new Promise<void>((resolve) => {
      paused = resolve;
    });
    let armed = false;
    let statements = 0;
    const store = await open(path, {
      async beforeTransactionStatement() {
        if (!armed) return;
        statements += 1;
        // Pause before the second statement (reading the outbox ids the batch adds): only
        // the first, the no-op write, has run.
        if (statements === 2) {
          paused();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
      },
    });
    armed = true;
    const entry = { id: 1, space: 's', collection: 'c', key: 'k', op: 'delete' } as const;
    const committing = store.commit({ putRecords: records(3), addOutbox: [entry as OutboxEntry] });
    await pausedAfterFirst;
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
    release();
    await committing;
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
    other.close();
    expect(await store.listRecords('s', 'c')).toHaveLength(3);
    await store.close();
  });

  it('rolls back the whole batch when a statement fails midway, and keeps working', async () => {
    let failOn: string | null = null;
    const store = await open(freshPath(), {
      beforeRun(_sql, params) {
        if (params[2] === failOn) throw new Error('disk I/O error');
      },
    });
    await store.commit({ putRecords: records(2), setMeta: { cursor: 'before' } });
    failOn = 'k00004';
    await expect(
      store.commit({ putRecords: records(10), setMeta: { cursor: 'after' } }),
    ).rejects.toThrow(/disk I\/O error/);
    expect(await store.listRecords('s', 'c')).toHaveLength(2);
    expect(await store.getMeta('cursor')).toBe('before');
    failOn = null;
    await store.commit({ putRecords: records(10), setMeta: { cursor: 'after' } });
    expect(await store.listRecords('s', 'c')).toHaveLength(10);
    await store.close();
  });

  it('refuses a file written by a newer schema, and closes its executor', async () => {
    const path = freshPath();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    const executor = asyncBetterSqlite3(path);
    await expect(
      openAsyncSqliteStore(executor, { upgradeHint: '@ferry/react-native' }),
    ).rejects.toThrow(/newer version .* upgrade @ferry\/react-native/);
    expect(executor.db.open).toBe(false);
  });

  it('lets calls made before close() finish, and refuses calls after it', async () => {
    const store = await open(freshPath());
    const committing = store.commit({ putRecords: records(50) });
    const closing = store.close();
    await committing;
    await closing;
    await expect(store.listOutbox()).rejects.toThrow(/closed/i);
  });
});
