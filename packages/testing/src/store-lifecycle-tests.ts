/** Acceptance tests: copies in and out, close, and persistence across a reopen. */
import { describe, expect, it } from 'vitest';
import { idsOf, put, record, type StoreTestContext } from './store-fixtures.ts';

export function describeLifecycleTests(t: StoreTestContext): void {
  describe('copies', () => {
    it('is not affected by changes to objects after they were committed', async () => {
      const { store } = await t.open();
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
      const { store } = await t.open();
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
      const { store } = await t.open();
      await store.commit({ putRecords: [record('s1', 'todos', 't1')] });
      await t.close(store);
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
      const { store, reopen } = await t.open();
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
      await t.close(store);
      const reopened = await reopen();
      t.track(reopened);
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
}
