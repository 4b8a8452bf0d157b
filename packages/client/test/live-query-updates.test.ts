/**
 * Live queries update in place: a change that names its records re-reads only those rows,
 * so a write costs the same however large the collection is; unnamed changes read it all.
 */
import { describe, expect, it } from 'vitest';
import type { Row, Store } from '../src/index.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { settle, setup, type Todo } from './support/harness.ts';

/** A memory store that counts whole-collection and one-record reads. */
function countingStore(): Store & { lists: number; gets: number } {
  const inner = createMemoryStore();
  const counting = {
    ...inner,
    lists: 0,
    gets: 0,
    listRecords(space: string, collection: string) {
      counting.lists += 1;
      return inner.listRecords(space, collection);
    },
    getRecord(address: Parameters<Store['getRecord']>[0]) {
      counting.gets += 1;
      return inner.getRecord(address);
    },
  };
  return counting;
}

async function seeded(count: number) {
  const store = countingStore();
  await store.commit({
    putRecords: Array.from({ length: count }, (_, i) => ({
      space: 'alice',
      collection: 'todos',
      key: `k${String(i).padStart(4, '0')}`,
      value: { title: `todo ${i}` },
      version: i + 1,
    })),
  });
  const harness = setup({ store });
  const deliveries: Row<Todo>[][] = [];
  harness.client.collection('todos').subscribe((rows) => deliveries.push(rows));
  await settle();
  return { ...harness, store, deliveries };
}

describe('live queries', () => {
  it('re-read only the written row, not the collection, after a local write', async () => {
    const { client, store, deliveries } = await seeded(500);
    expect(deliveries.at(-1)).toHaveLength(500);
    const listsAfterFirstRead = store.lists;
    const todos = client.collection('todos');
    await todos.patch('k0007', { done: true });
    await todos.put('k9999', { title: 'last' });
    await todos.put('a-first', { title: 'first' });
    await todos.delete('k0001');
    await settle();

    expect(store.lists).toBe(listsAfterFirstRead);
    const rows = deliveries.at(-1) ?? [];
    expect(rows).toHaveLength(501);
    expect(rows.map((r) => r.key)).toEqual([...rows.map((r) => r.key)].sort());
    expect(rows[0]).toMatchObject({ key: 'a-first', value: { title: 'first' }, pending: true });
    expect(rows.at(-1)).toMatchObject({ key: 'k9999', pending: true });
    expect(rows.find((r) => r.key === 'k0007')?.value).toEqual({ title: 'todo 7', done: true });
    expect(rows.some((r) => r.key === 'k0001')).toBe(false);
    // The same answer as reading the whole collection.
    expect(rows).toEqual(await todos.query());
  });

  it('hand out frozen rows, the same objects for rows that did not change, in a new array each time', async () => {
    const { client, deliveries } = await seeded(3);
    await client.collection('todos').patch('k0001', { done: true });
    await settle();
    const [before, after] = deliveries.slice(-2) as [Row<Todo>[], Row<Todo>[]];
    expect(after).not.toBe(before);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(Object.isFrozen(after[1])).toBe(true);
    expect(() => {
      (after[0]!.value as Todo).title = 'changed';
    }).toThrow(TypeError);
    // The array is the listener's own: sorting it changes nothing for the next delivery.
    after.reverse();
    await client.collection('todos').patch('k0002', { done: true });
    await settle();
    expect(deliveries.at(-1)?.map((r) => r.key)).toEqual(['k0000', 'k0001', 'k0002']);
  });

  it('read the whole collection again after a pull too large to name its records', async () => {
    const { client, server, store, deliveries } = await seeded(10);
    server.commit('alice', 'todos', 'first', { title: 'r' });
    await client.sync(); // the first pull replaces every record
    for (let i = 0; i < 100; i++) server.commit('alice', 'todos', `remote-${i}`, { title: 'r' });
    await settle();
    const lists = store.lists;
    await client.sync();
    await settle();
    expect(store.lists).toBeGreaterThan(lists);
    expect(deliveries.at(-1)).toHaveLength(101);
  });

  it('apply a small pull row by row', async () => {
    const { client, server, store, deliveries } = await seeded(10);
    server.commit('alice', 'todos', 'k0003', { title: 'changed remotely' });
    server.commit('alice', 'todos', 'k0004', null);
    await client.sync(); // the first pull replaces every record (a full read)
    await settle();
    server.commit('alice', 'todos', 'k0005', { title: 'also changed' });
    const lists = store.lists;
    await client.sync();
    await settle();
    expect(store.lists).toBe(lists);
    const rows = deliveries.at(-1) ?? [];
    expect(rows.find((r) => r.key === 'k0005')?.value).toEqual({ title: 'also changed' });
    expect(rows.find((r) => r.key === 'k0003')?.value).toEqual({ title: 'changed remotely' });
    expect(rows.some((r) => r.key === 'k0004')).toBe(false);
  });
});
