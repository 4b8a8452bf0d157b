/** Bulk writes on one client: one commit, consecutive ids, one change, all or nothing. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, FerryValidationError, type Store } from '../src/index.ts';
import { recorder, settle, setup } from './support/harness.ts';

describe('bulk writes', () => {
  it('record every entry with its own id in one store commit and announce one change', async () => {
    const store = createMemoryStore();
    let commits = 0;
    const counting: Store = {
      ...store,
      commit: (batch) => {
        commits++;
        return store.commit(batch);
      },
    };
    const { client } = setup({ store: counting });
    const todos = client.collection('todos');
    await todos.put('t0', { title: 'before' });
    const changes = recorder<unknown>();
    client.on('change', changes.listener);
    commits = 0;

    await todos.bulkPut(
      new Map([
        ['t1', { title: 'one' }],
        ['t2', { title: 'two' }],
      ]),
    );
    await todos.bulkDelete(['t0', 't1']);
    expect(commits).toBe(2);
    expect((await store.listOutbox()).map((m) => [m.id, m.op, m.key])).toEqual([
      [1, 'put', 't0'],
      [2, 'put', 't1'],
      [3, 'put', 't2'],
      [4, 'delete', 't0'],
      [5, 'delete', 't1'],
    ]);
    expect(await store.getMeta('nextMutationId')).toBe(6);
    expect(changes.calls).toEqual([
      {
        cause: 'write',
        collections: [{ space: 'alice', collection: 'todos' }],
        spaces: [],
        records: [
          { space: 'alice', collection: 'todos', key: 't1' },
          { space: 'alice', collection: 'todos', key: 't2' },
        ],
      },
      expect.objectContaining({ cause: 'write' }),
    ]);
    expect((await todos.query()).map((row) => row.key)).toEqual(['t2']);
    expect(client.getStatus().pendingCount).toBe(5);

    // An empty batch writes and announces nothing.
    await todos.bulkPut([]);
    expect(commits).toBe(2);
    expect(changes.calls).toHaveLength(2);
    await client.close();
  });

  it('write nothing when the commit fails, and never hand its ids out again', async () => {
    const store = createMemoryStore();
    let fail = true;
    const failing: Store = {
      ...store,
      commit: async (batch) => {
        if (fail && batch.addOutbox !== undefined) {
          fail = false;
          throw new Error('disk full');
        }
        return store.commit(batch);
      },
    };
    const { client } = setup({ store: failing });
    const todos = client.collection('todos');
    const subscriber = recorder<unknown[]>();
    todos.subscribe(subscriber.listener);
    await settle();

    await expect(todos.bulkPut({ a: { title: 'a' }, b: { title: 'b' } })).rejects.toThrow(
      'disk full',
    );
    await expect(
      todos.bulkPut({ c: { title: 'c' }, d: { title: undefined as unknown as string } }),
    ).rejects.toThrow(FerryValidationError);
    expect(await todos.query()).toEqual([]);
    expect(client.getStatus().pendingCount).toBe(0);

    await todos.bulkPut({ c: { title: 'c' } });
    expect((await store.listOutbox()).map((m) => m.id)).toEqual([3]);
    await settle();
    expect(subscriber.calls.map((rows) => rows.length)).toEqual([0, 1]);
    await client.close();
  });
});
