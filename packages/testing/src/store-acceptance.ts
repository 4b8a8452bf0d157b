/**
 * The acceptance suite every `Store` implementation runs with only its own setup:
 *
 *   runStoreAcceptanceTests('memory', async () => ({ store: createMemoryStore() }));
 *
 * `setup` is called once per test and must return an empty store. When the store keeps
 * its data somewhere that outlives the object (a file, IndexedDB), also return `reopen`,
 * which opens the same data again as a new store after the first was closed.
 */
import type { OutboxEntry, Store, StoredRecord } from '@ferry/client';
import type { MutationId, SpaceId } from '@ferry/protocol';
import { afterEach, describe, expect, it } from 'vitest';

export interface StoreSetup {
  store: Store;
  reopen?: () => Promise<Store>;
}

function record(
  space: string,
  collection: string,
  key: string,
  value: StoredRecord['value'] = { key },
  version = 1,
): StoredRecord {
  return { space, collection, key, value, version };
}

function put(id: number, key = `k${id}`, space = 's1'): OutboxEntry {
  return {
    id: id as MutationId,
    space: space as SpaceId,
    collection: 'todos',
    key,
    op: 'put',
    value: { n: id },
  };
}

const keysOf = (records: readonly { key: string }[]) => records.map((r) => r.key);
const idsOf = (entries: readonly OutboxEntry[]) => entries.map((e) => e.id);

export function runStoreAcceptanceTests(name: string, setup: () => Promise<StoreSetup>): void {
  describe(`Store acceptance: ${name}`, () => {
    const opened: Store[] = [];
    const closed = new Set<Store>();
    const open = async (): Promise<StoreSetup> => {
      const result = await setup();
      opened.push(result.store);
      return result;
    };
    const close = async (store: Store) => {
      closed.add(store);
      await store.close();
    };

    afterEach(async () => {
      for (const store of opened.splice(0)) if (!closed.has(store)) await store.close();
      closed.clear();
    });

    describe('records', () => {
      it('round-trips a record and reports a missing one as undefined', async () => {
        const { store } = await open();
        const stored = record('s1', 'todos', 't1', { title: 'milk', tags: ['a'], n: null }, 7);
        await store.commit({ putRecords: [stored] });
        expect(await store.getRecord({ space: 's1', collection: 'todos', key: 't1' })).toEqual(
          stored,
        );
        expect(
          await store.getRecord({ space: 's1', collection: 'todos', key: 'nope' }),
        ).toBeUndefined();
      });

      it('keeps keys and fields that look like object internals as plain data', async () => {
        const { store } = await open();
        const value = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}');
        await store.commit({ putRecords: [record('s1', 'todos', '__proto__', value)] });
        const read = await store.getRecord({ space: 's1', collection: 'todos', key: '__proto__' });
        expect(read?.value).toEqual(value);
        expect(Object.hasOwn(read?.value ?? {}, '__proto__')).toBe(true);
        expect(Object.getPrototypeOf(read?.value)).toBe(Object.prototype);
        expect(keysOf(await store.listRecords('s1', 'todos'))).toEqual(['__proto__']);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('replaces a record written again', async () => {
        const { store } = await open();
        await store.commit({ putRecords: [record('s1', 'todos', 't1', { v: 1 }, 1)] });
        await store.commit({ putRecords: [record('s1', 'todos', 't1', { v: 2 }, 5)] });
        const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
        expect(read).toEqual(record('s1', 'todos', 't1', { v: 2 }, 5));
      });

      it('lists one collection of one space in ascending key order', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [
            record('s1', 'todos', 'b'),
            record('s1', 'todos', '10'),
            record('s1', 'todos', 'A'),
            record('s1', 'todos', '9'),
            record('s1', 'todos', 'a'),
            record('s1', 'notes', 'n1'),
            record('s2', 'todos', 'other-space'),
          ],
        });
        expect(keysOf(await store.listRecords('s1', 'todos'))).toEqual(['10', '9', 'A', 'a', 'b']);
        expect(keysOf(await store.listRecords('s1', 'notes'))).toEqual(['n1']);
        expect(keysOf(await store.listRecords('s2', 'todos'))).toEqual(['other-space']);
        expect(await store.listRecords('s3', 'todos')).toEqual([]);
      });

      it('deletes records, and deleting a missing record is not an error', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 't1'), record('s1', 'todos', 't2')],
        });
        await store.commit({
          deleteRecords: [
            { space: 's1', collection: 'todos', key: 't1' },
            { space: 's1', collection: 'todos', key: 'never-there' },
          ],
        });
        expect(keysOf(await store.listRecords('s1', 'todos'))).toEqual(['t2']);
        expect(
          await store.getRecord({ space: 's1', collection: 'todos', key: 't1' }),
        ).toBeUndefined();
      });

      it('clearSpaces removes only the records of those spaces', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [
            record('s1', 'todos', 't1'),
            record('s1', 'notes', 'n1'),
            record('s2', 'todos', 't2'),
            record('s3', 'todos', 't3'),
          ],
          addOutbox: [put(1)],
          setMeta: { cursor: 'c1' },
        });
        await store.commit({ clearSpaces: ['s1', 's2'] });
        expect(await store.listRecords('s1', 'todos')).toEqual([]);
        expect(await store.listRecords('s1', 'notes')).toEqual([]);
        expect(await store.listRecords('s2', 'todos')).toEqual([]);
        expect(keysOf(await store.listRecords('s3', 'todos'))).toEqual(['t3']);
        expect(idsOf(await store.listOutbox())).toEqual([1]);
        expect(await store.getMeta('cursor')).toBe('c1');
      });

      it('clearAll removes every record but not the outbox or metadata', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 't1'), record('s2', 'notes', 'n1')],
          addOutbox: [put(1)],
          setMeta: { cursor: 'c1' },
        });
        await store.commit({ clearAll: true });
        expect(await store.listRecords('s1', 'todos')).toEqual([]);
        expect(await store.listRecords('s2', 'notes')).toEqual([]);
        expect(idsOf(await store.listOutbox())).toEqual([1]);
        expect(await store.getMeta('cursor')).toBe('c1');
      });
    });

    describe('outbox', () => {
      it('lists entries in ascending id order, exactly as added', async () => {
        const { store } = await open();
        const patch: OutboxEntry = {
          id: 3 as MutationId,
          space: 's1' as SpaceId,
          collection: 'todos',
          key: 't1',
          op: 'patch',
          value: { done: true, note: null },
          ifVersion: 12,
        };
        const del: OutboxEntry = {
          id: 7 as MutationId,
          space: 's2' as SpaceId,
          collection: 'notes',
          key: 'n1',
          op: 'delete',
          ifVersion: 0,
        };
        await store.commit({ addOutbox: [put(1), put(2)] });
        await store.commit({ addOutbox: [patch] });
        await store.commit({ addOutbox: [del] });
        expect(await store.listOutbox()).toEqual([put(1), put(2), patch, del]);
      });

      it('removeOutbox removes exactly the given ids, ignoring unknown ones', async () => {
        const { store } = await open();
        await store.commit({ addOutbox: [put(1), put(2), put(3), put(4)] });
        await store.commit({ removeOutbox: [2, 4, 99] });
        expect(idsOf(await store.listOutbox())).toEqual([1, 3]);
      });

      it('removeOutboxThrough removes every entry with an id at most the given one', async () => {
        const { store } = await open();
        await store.commit({ addOutbox: [put(2), put(3), put(5), put(8)] });
        await store.commit({ removeOutboxThrough: 5 });
        expect(idsOf(await store.listOutbox())).toEqual([8]);
        await store.commit({ removeOutboxThrough: 1 });
        expect(idsOf(await store.listOutbox())).toEqual([8]);
      });
    });

    describe('metadata', () => {
      it('sets, overwrites and removes values of any JSON type', async () => {
        const { store } = await open();
        await store.commit({
          setMeta: { cursor: 'abc', next: 42, flag: false, nothing: null, spaces: ['a', 'b'] },
        });
        expect(await store.getMeta('cursor')).toBe('abc');
        expect(await store.getMeta('next')).toBe(42);
        expect(await store.getMeta('flag')).toBe(false);
        expect(await store.getMeta('nothing')).toBeNull();
        expect(await store.getMeta('spaces')).toEqual(['a', 'b']);
        expect(await store.getMeta('missing')).toBeUndefined();
        await store.commit({ setMeta: { next: 43, cursor: undefined } });
        expect(await store.getMeta('next')).toBe(43);
        expect(await store.getMeta('cursor')).toBeUndefined();
        expect(await store.getMeta('flag')).toBe(false);
      });
    });

    describe('commit', () => {
      it('applies a mixed batch as a whole', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 't1')],
          addOutbox: [put(1)],
          setMeta: { nextMutationId: 2 },
        });
        expect(keysOf(await store.listRecords('s1', 'todos'))).toEqual(['t1']);
        expect(idsOf(await store.listOutbox())).toEqual([1]);
        expect(await store.getMeta('nextMutationId')).toBe(2);
      });

      it('accepts an empty batch', async () => {
        const { store } = await open();
        await store.commit({});
        expect(await store.listOutbox()).toEqual([]);
      });

      it('changes nothing when one part of the batch is invalid', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 'kept', { v: 1 })],
          addOutbox: [put(1)],
          setMeta: { cursor: 'before' },
        });
        const invalid = {
          clearAll: true,
          deleteRecords: [{ space: 's1', collection: 'todos', key: 'kept' }],
          putRecords: [
            record('s1', 'todos', 'new', { v: 2 }),
            { ...record('s1', 'todos', 'bad'), value: 'not an object' },
          ],
          removeOutboxThrough: 10,
          addOutbox: [put(2)],
          setMeta: { cursor: 'after' },
        } as unknown as Parameters<Store['commit']>[0];
        await expect(store.commit(invalid)).rejects.toThrow();
        expect(await store.listRecords('s1', 'todos')).toEqual([
          record('s1', 'todos', 'kept', { v: 1 }),
        ]);
        expect(idsOf(await store.listOutbox())).toEqual([1]);
        expect(await store.getMeta('cursor')).toBe('before');
      });

      it('applies clears before puts, so a reset and its snapshot fit in one batch', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 'old'), record('s2', 'todos', 'other')],
        });
        await store.commit({ clearSpaces: ['s1'], putRecords: [record('s1', 'todos', 'new')] });
        expect(keysOf(await store.listRecords('s1', 'todos'))).toEqual(['new']);
        await store.commit({ clearAll: true, putRecords: [record('s2', 'todos', 'fresh')] });
        expect(keysOf(await store.listRecords('s2', 'todos'))).toEqual(['fresh']);
        expect(await store.listRecords('s1', 'todos')).toEqual([]);
      });

      it('applies deletions before puts of the same record', async () => {
        const { store } = await open();
        await store.commit({ putRecords: [record('s1', 'todos', 't1', { v: 1 })] });
        await store.commit({
          deleteRecords: [{ space: 's1', collection: 'todos', key: 't1' }],
          putRecords: [record('s1', 'todos', 't1', { v: 2 }, 2)],
        });
        const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
        expect(read?.value).toEqual({ v: 2 });
      });

      it('applies outbox removals before additions', async () => {
        const { store } = await open();
        await store.commit({ addOutbox: [put(1), put(2)] });
        await store.commit({ removeOutboxThrough: 2, addOutbox: [put(3)] });
        expect(idsOf(await store.listOutbox())).toEqual([3]);
      });
    });

    describe('copies', () => {
      it('is not affected by changes to objects after they were committed', async () => {
        const { store } = await open();
        const stored = record('s1', 'todos', 't1', { nested: { n: 1 }, list: [1] });
        const entry = put(1);
        const meta = { list: [1] };
        await store.commit({ putRecords: [stored], addOutbox: [entry], setMeta: { meta } });
        (stored.value.nested as { n: number }).n = 2;
        (stored.value.list as number[]).push(2);
        if (entry.op === 'put') entry.value.n = 99;
        meta.list.push(2);
        const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
        expect(read?.value).toEqual({ nested: { n: 1 }, list: [1] });
        expect(await store.listOutbox()).toEqual([put(1)]);
        expect(await store.getMeta('meta')).toEqual({ list: [1] });
      });

      it('is not affected by changes to objects it returned', async () => {
        const { store } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 't1', { nested: { n: 1 } })],
          addOutbox: [put(1)],
          setMeta: { meta: { n: 1 } },
        });
        const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
        (read?.value.nested as { n: number }).n = 2;
        const [listed] = await store.listRecords('s1', 'todos');
        (listed?.value.nested as { n: number }).n = 3;
        const [entry] = await store.listOutbox();
        if (entry?.op === 'put') entry.value.n = 99;
        const meta = (await store.getMeta('meta')) as { n: number };
        meta.n = 2;
        const again = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
        expect(again?.value).toEqual({ nested: { n: 1 } });
        expect(await store.listOutbox()).toEqual([put(1)]);
        expect(await store.getMeta('meta')).toEqual({ n: 1 });
      });
    });

    describe('close', () => {
      it('rejects every call after close()', async () => {
        const { store } = await open();
        await store.commit({ putRecords: [record('s1', 'todos', 't1')] });
        await close(store);
        const address = { space: 's1', collection: 'todos', key: 't1' };
        await expect(store.getRecord(address)).rejects.toThrow();
        await expect(store.listRecords('s1', 'todos')).rejects.toThrow();
        await expect(store.listOutbox()).rejects.toThrow();
        await expect(store.getMeta('cursor')).rejects.toThrow();
        await expect(store.commit({ setMeta: { cursor: 'x' } })).rejects.toThrow();
      });
    });

    describe('persistence', () => {
      it('keeps records, outbox and metadata across a reopen (when the store supports it)', async () => {
        const { store, reopen } = await open();
        await store.commit({
          putRecords: [record('s1', 'todos', 't1', { title: 'milk' }, 3)],
          addOutbox: [put(1), put(2)],
          setMeta: { clientId: 'abc', nextMutationId: 3 },
        });
        await store.commit({ removeOutbox: [1], deleteRecords: [] });
        if (reopen === undefined) {
          // A store whose data lives only in its object has nothing to reopen; the checks
          // below then run against the same object, which must still hold the data.
          expect(idsOf(await store.listOutbox())).toEqual([2]);
          return;
        }
        await close(store);
        const reopened = await reopen();
        opened.push(reopened);
        expect(await reopened.listRecords('s1', 'todos')).toEqual([
          record('s1', 'todos', 't1', { title: 'milk' }, 3),
        ]);
        expect(await reopened.listOutbox()).toEqual([put(2)]);
        expect(await reopened.getMeta('clientId')).toBe('abc');
        expect(await reopened.getMeta('nextMutationId')).toBe(3);
        await reopened.commit({ addOutbox: [put(3)] });
        expect(idsOf(await reopened.listOutbox())).toEqual([2, 3]);
      });
    });
  });
}
