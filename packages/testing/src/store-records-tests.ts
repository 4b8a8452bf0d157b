/** Acceptance tests: base records. */
import { describe, expect, it } from 'vitest';
import { idsOf, keysOf, put, record, type StoreTestContext } from './store-fixtures.ts';

export function describeRecordTests(t: StoreTestContext): void {
  describe('records', () => {
    it('round-trips a record and reports a missing one as undefined', async () => {
      const { store } = await t.open();
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
      const { store } = await t.open();
      const value = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}');
      await store.commit({ putRecords: [record('s1', 'todos', '__proto__', value)] });
      const read = await store.getRecord({ space: 's1', collection: 'todos', key: '__proto__' });
      expect(read?.value).toEqual(value);
      expect(Object.hasOwn(read?.value ?? {}, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(read?.value)).toBe(Object.prototype);
      expect(keysOf(await store.listRecords('s1', 'todos'))).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('hands out copies: what a caller does to a record read or committed never changes the store', async () => {
      const { store } = await t.open();
      const written = record('s1', 'todos', 't1', { title: 'milk', tags: ['a'] }, 1);
      await store.commit({ putRecords: [written] });
      (written.value.tags as string[]).push('changed after commit');
      const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
      const [listed] = await store.listRecords('s1', 'todos');
      if (read === undefined || listed === undefined) throw new Error('the record was not read');
      (read.value.tags as string[]).push('changed after getRecord');
      (listed.value.tags as string[]).push('changed after listRecords');
      expect((await store.listRecords('s1', 'todos'))[0]?.value).toEqual({
        title: 'milk',
        tags: ['a'],
      });
    });

    it('replaces a record written again', async () => {
      const { store } = await t.open();
      await store.commit({ putRecords: [record('s1', 'todos', 't1', { v: 1 }, 1)] });
      await store.commit({ putRecords: [record('s1', 'todos', 't1', { v: 2 }, 5)] });
      const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
      expect(read).toEqual(record('s1', 'todos', 't1', { v: 2 }, 5));
    });

    it('lists one collection of one space in ascending key order', async () => {
      const { store } = await t.open();
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
      const { store } = await t.open();
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
      const { store } = await t.open();
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
      const { store } = await t.open();
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
}
