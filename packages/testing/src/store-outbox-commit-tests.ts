/** Acceptance tests: outbox, metadata and the rules of one commit. */
import type { OutboxEntry, Store } from '@ferry/client';
import type { MutationId, SpaceId } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import { idsOf, keysOf, put, record, type StoreTestContext } from './store-fixtures.ts';

export function describeOutboxAndCommitTests(t: StoreTestContext): void {
  describe('outbox', () => {
    it('lists entries in ascending id order, exactly as added', async () => {
      const { store } = await t.open();
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
      const { store } = await t.open();
      await store.commit({ addOutbox: [put(1), put(2), put(3), put(4)] });
      await store.commit({ removeOutbox: [2, 4, 99] });
      expect(idsOf(await store.listOutbox())).toEqual([1, 3]);
    });

    it('removeOutboxThrough removes every entry with an id at most the given one', async () => {
      const { store } = await t.open();
      await store.commit({ addOutbox: [put(2), put(3), put(5), put(8)] });
      await store.commit({ removeOutboxThrough: 5 });
      expect(idsOf(await store.listOutbox())).toEqual([8]);
      await store.commit({ removeOutboxThrough: 1 });
      expect(idsOf(await store.listOutbox())).toEqual([8]);
    });
  });

  describe('metadata', () => {
    it('sets, overwrites and removes values of any JSON type', async () => {
      const { store } = await t.open();
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
      const { store } = await t.open();
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
      const { store } = await t.open();
      await store.commit({});
      expect(await store.listOutbox()).toEqual([]);
    });

    it('changes nothing when one part of the batch is invalid', async () => {
      const { store } = await t.open();
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
      const { store } = await t.open();
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
      const { store } = await t.open();
      await store.commit({ putRecords: [record('s1', 'todos', 't1', { v: 1 })] });
      await store.commit({
        deleteRecords: [{ space: 's1', collection: 'todos', key: 't1' }],
        putRecords: [record('s1', 'todos', 't1', { v: 2 }, 2)],
      });
      const read = await store.getRecord({ space: 's1', collection: 'todos', key: 't1' });
      expect(read?.value).toEqual({ v: 2 });
    });

    it('applies outbox removals before additions', async () => {
      const { store } = await t.open();
      await store.commit({ addOutbox: [put(1), put(2)] });
      await store.commit({ removeOutboxThrough: 2, addOutbox: [put(3)] });
      expect(idsOf(await store.listOutbox())).toEqual([3]);
    });
  });
}
