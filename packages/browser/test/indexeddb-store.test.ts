/**
 * The IndexedDB store on fake-indexeddb: the shared acceptance suite with a reopen, and
 * what only this store does (writer-epoch fencing, versionchange, bulk commits). The same
 * suite runs in real Chromium in test/browser/.
 */
import 'fake-indexeddb/auto';
import {
  deleteIndexedDbStore,
  FerryDatabaseClosedError,
  FerryLeadershipLostError,
  FerryStorageFullError,
  FerryStoreBlockedError,
  openIndexedDbStore,
} from '@ferry/browser';
import { FerryClosedError, FerryValidationError, type StoredRecord } from '@ferry/client';
import { encodeField, HIGH } from '@ferry/client/internal';
import type { MutationId, SpaceId } from '@ferry/protocol';
import { runStoreAcceptanceTests } from '@ferry/testing';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { storeError } from '../src/idb-database.ts';

let n = 0;
const fresh = () => ({ name: `ferry-test-${++n}`, indexedDB: new IDBFactory() });

runStoreAcceptanceTests('IndexedDB store (fake-indexeddb)', async () => {
  const options = fresh();
  return {
    store: await openIndexedDbStore(options),
    reopen: () => openIndexedDbStore(options),
  };
});

const rec = (space: string, key: string, n = 0): StoredRecord => ({
  space,
  collection: 'todos',
  key,
  value: { n },
  version: 1,
});
const put = (id: number) => ({
  id: id as MutationId,
  space: 's1' as SpaceId,
  collection: 'todos',
  key: `k${id}`,
  op: 'put' as const,
  value: { id },
});

describe('IndexedDB store specifics', () => {
  it('fences commits by writer epoch: the former claimant writes nothing, the new one writes', async () => {
    const store = await openIndexedDbStore(fresh());
    const first = await store.claim();
    const second = await store.claim();
    expect(second.epoch).toBe(first.epoch + 1);

    const refused = first.commit({
      putRecords: [rec('s1', 'a')],
      addOutbox: [put(1)],
      setMeta: { cursor: 'first' },
    });
    await expect(refused).rejects.toBeInstanceOf(FerryLeadershipLostError);
    await expect(refused).rejects.toMatchObject({ code: 'leadership_lost' });
    expect(await store.listRecords('s1', 'todos')).toEqual([]);
    expect(await store.listOutbox()).toEqual([]);
    expect(await store.getMeta('cursor')).toBeUndefined();

    await second.commit({ putRecords: [rec('s1', 'b')], setMeta: { cursor: 'second' } });
    expect(await first.getRecord({ space: 's1', collection: 'todos', key: 'b' })).toEqual(
      rec('s1', 'b'),
    );
    expect(await store.getMeta('cursor')).toBe('second');
    await store.close();
  });

  it('keeps the epoch across a reopen and out of reach of getMeta and setMeta', async () => {
    const options = fresh();
    const store = await openIndexedDbStore(options);
    const view = await store.claim();
    await store.commit({ setMeta: { writerEpoch: 99, 'ferry.writerEpoch': 99 } });
    await view.commit({ setMeta: { cursor: 'still mine' } });
    await view.close();
    await expect(view.listOutbox()).rejects.toBeInstanceOf(FerryClosedError);
    expect(await store.getMeta('cursor')).toBe('still mine');
    await store.close();
    const reopened = await openIndexedDbStore(options);
    expect((await reopened.claim()).epoch).toBe(view.epoch + 1);
    await reopened.close();
  });

  it('commits a 10,000-record batch as a whole, or nothing of it when it fails', async () => {
    const store = await openIndexedDbStore(fresh());
    const records = Array.from({ length: 10_000 }, (_, i) =>
      rec('s1', `k${i}`.padStart(6, '0'), i),
    );
    await store.commit({ putRecords: records, setMeta: { cursor: 'c1' } });
    expect(await store.listRecords('s1', 'todos')).toHaveLength(10_000);

    const view = await store.claim();
    await store.claim();
    const replaced = records.map((r) => ({ ...r, value: { n: -1 } }));
    await expect(view.commit({ clearAll: true, putRecords: replaced })).rejects.toThrow(
      FerryLeadershipLostError,
    );
    const after = await store.listRecords('s1', 'todos');
    expect(after).toHaveLength(10_000);
    expect(after.every((r) => (r.value.n as number) >= 0)).toBe(true);
    await store.close();
  });

  it('indexes every record when declarations change, past the pages the rewrite reads at a time', async () => {
    const options = fresh();
    const store = await openIndexedDbStore(options);
    // 4,500 records in two collections and two spaces: more than two rewrite pages.
    const records: StoredRecord[] = [];
    for (let i = 0; i < 4_500; i++) {
      records.push({
        space: i % 2 === 0 ? 's1' : 's2',
        collection: i % 3 === 0 ? 'notes' : 'todos',
        key: `k${String(i).padStart(4, '0')}`,
        value: { n: 4_500 - i },
        version: 1,
      });
    }
    await store.commit({ putRecords: records });
    await store.defineIndexes([{ collection: 'todos', name: 'byN', fields: ['n'] }]);
    const expected = (space: string) =>
      records
        .filter((r) => r.space === space && r.collection === 'todos')
        .sort((a, b) => (a.value.n as number) - (b.value.n as number))
        .map((r) => r.key);
    for (const space of ['s1', 's2']) {
      const scan = { space, collection: 'todos', index: 'byN' };
      const found = await store.scanIndex(scan, 'asc');
      expect(found.map((r) => r.key)).toEqual(expected(space));
      expect(await store.countIndex(scan)).toBe(expected(space).length);
    }
    await store.close();
  });

  it('clearSpaces removes those spaces, also ones whose names are prefixes of others', async () => {
    const store = await openIndexedDbStore(fresh());
    await store.commit({
      putRecords: [rec('s', 'a'), rec('s1', 'b'), rec('s', 'c'), rec('t', 'd')],
      addOutbox: [put(1)],
    });
    await store.commit({ clearSpaces: ['s'] });
    expect(await store.listRecords('s', 'todos')).toEqual([]);
    expect(await store.listRecords('s1', 'todos')).toEqual([rec('s1', 'b')]);
    expect(await store.listRecords('t', 'todos')).toEqual([rec('t', 'd')]);
    expect(await store.listOutbox()).toEqual([put(1)]);
    await store.close();
  });

  it('refuses an outbox id already taken with the same error as every store', async () => {
    const store = await openIndexedDbStore(fresh());
    await store.commit({ addOutbox: [put(1), put(2)] });
    await expect(store.commit({ addOutbox: [put(2)], setMeta: { x: 1 } })).rejects.toThrow(
      FerryValidationError,
    );
    await expect(store.commit({ addOutbox: [put(2)] })).rejects.toThrow(/2 is already taken/);
    expect(await store.getMeta('x')).toBeUndefined();
    await store.commit({ removeOutbox: [2], addOutbox: [put(2), put(3)] });
    expect((await store.listOutbox()).map((e) => e.id)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('rejects every call after close() with FerryClosedError, on the store and its views', async () => {
    const store = await openIndexedDbStore(fresh());
    const view = await store.claim();
    await store.close();
    await expect(store.getMeta('x')).rejects.toBeInstanceOf(FerryClosedError);
    await expect(store.commit({})).rejects.toBeInstanceOf(FerryClosedError);
    await expect(store.claim()).rejects.toBeInstanceOf(FerryClosedError);
    await expect(view.commit({ setMeta: { x: 1 } })).rejects.toBeInstanceOf(FerryClosedError);
    await expect(view.getMeta('x')).rejects.toBeInstanceOf(FerryClosedError);
  });

  it('closes its connection on versionchange so a deletion goes ahead, then rejects clearly', async () => {
    const options = fresh();
    const store = await openIndexedDbStore(options);
    await store.commit({ setMeta: { cursor: 'c1' } });
    await deleteIndexedDbStore(options.name, options.indexedDB);
    await expect(store.getMeta('cursor')).rejects.toBeInstanceOf(FerryDatabaseClosedError);
    await expect(store.commit({ setMeta: { cursor: 'c2' } })).rejects.toThrow(
      /deleted or upgraded/,
    );
    await store.close();
    const reopened = await openIndexedDbStore(options);
    expect(await reopened.getMeta('cursor')).toBeUndefined();
    await reopened.close();
  });

  it('gives up a deletion that a connection deaf to versionchange blocks for 5 s', async () => {
    const options = fresh();
    await (await openIndexedDbStore(options)).close();
    const deaf = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = options.indexedDB.open(options.name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // Fake timers for the 5 s wait only; fake-indexeddb schedules its work with setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const deletion = deleteIndexedDbStore(options.name, options.indexedDB);
      const outcome = deletion.then(
        () => 'deleted',
        (error: unknown) => error,
      );
      // Let fake-indexeddb send versionchange, find the connection still open and fire blocked.
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(4_999);
      let settled = false;
      void outcome.then(() => {
        settled = true;
      });
      await Promise.resolve();
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await outcome;
      expect(error).toBeInstanceOf(FerryStoreBlockedError);
      expect((error as Error).message).toMatch(/another tab or worker still has it open/);
    } finally {
      vi.useRealTimers();
      deaf.close();
    }
  });

  it('upgrades a version 2 database: its records stay and its index entries are rewritten', async () => {
    const options = fresh();
    const byList = { collection: 'todos', name: 'byList', fields: ['list'] };
    // What version 2 wrote: entries in the former encoding (every code unit as four hex
    // digits), which the bounds of today's queries do not find.
    const hexUnits = (text: string) =>
      `${[...text].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('')}!`;
    await new Promise<void>((resolve, reject) => {
      const request = options.indexedDB.open(options.name, 2);
      request.onupgradeneeded = () => {
        const db = request.result;
        const records = db.createObjectStore('records', {
          keyPath: ['space', 'collection', 'key'],
        });
        records.createIndex('entries', 'ix', { multiEntry: true });
        db.createObjectStore('outbox', { keyPath: 'id' });
        db.createObjectStore('meta');
        db.createObjectStore('fence').put([byList], 'indexes');
        for (const [key, list] of [
          ['a', 'x'],
          ['b', 'y'],
          ['c', 'x'],
        ] as const) {
          const ix = [['s1', 'todos', 'byList', `5${hexUnits(list)}${hexUnits(key)}`]];
          records.put({ space: 's1', collection: 'todos', key, value: { list }, version: 1, ix });
        }
      };
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    const store = await openIndexedDbStore(options);
    await store.defineIndexes([byList]);
    const x = encodeField('x');
    const listX = { space: 's1', collection: 'todos', index: 'byList', lower: x, upper: x + HIGH };
    expect((await store.scanIndex(listX, 'asc')).map((r) => r.key)).toEqual(['a', 'c']);
    await store.close();
  });

  it('refuses a database written by a newer schema', async () => {
    const options = fresh();
    await new Promise<void>((resolve, reject) => {
      const request = options.indexedDB.open(options.name, 99);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    await expect(openIndexedDbStore(options)).rejects.toThrow(/newer version of Ferry/);
  });

  it('reports a quota error as storage full', () => {
    const quota = new DOMException('quota', 'QuotaExceededError');
    const error = storeError('todo-alice', quota);
    expect(error).toBeInstanceOf(FerryStorageFullError);
    expect(error.message).toMatch(/Storage is full.*todo-alice/);
    expect(error.cause).toBe(quota);
  });
});
