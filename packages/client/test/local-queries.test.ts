/** Collection queries through a client: indexes from the options, pending writes in place, live windows. */
import { describe, expect, it } from 'vitest';
import { createClient, createMemoryStore, FerryValidationError, type Row } from '../src/index.ts';

type Todo = { list: string; at: number; title: string };

function open(store = createMemoryStore()) {
  const client = createClient<{ todos: Todo }>({
    url: 'http://127.0.0.1:9',
    store,
    defaultSpace: 's',
    // No server: writes stay pending.
    fetch: () => new Promise<Response>(() => {}),
    schedule: { triggers: [] },
    collections: { todos: { indexes: { byList: ['list', 'at'] } } },
  });
  return { store, client, todos: client.collection('todos') };
}

describe('collection queries', () => {
  it('find, count and getMany see pending writes at their place in the order', async () => {
    const { store, client, todos } = open();
    await store.commit({
      putRecords: [1, 2, 3, 4].map((at) => ({
        space: 's',
        collection: 'todos',
        key: `b${at}`,
        version: at,
        value: { list: 'groceries', at, title: `base ${at}` },
      })),
    });
    await todos.put('p', { list: 'groceries', at: 2.5, title: 'pending' });
    await todos.patch('b4', { list: 'work' });
    const query = {
      index: 'byList',
      where: { list: 'groceries' },
      order: 'desc',
      limit: 3,
    } as const;
    const rows = await todos.find(query);
    expect(rows.map((r) => [r.key, r.pending])).toEqual([
      ['b3', false],
      ['p', true],
      ['b2', false],
    ]);
    expect(await todos.find({ ...query, after: rows[2]! })).toMatchObject([{ key: 'b1' }]);
    expect(await todos.count({ index: 'byList', where: { list: 'groceries' } })).toBe(4);
    expect(
      await todos.count({ index: 'byList', where: { list: 'groceries' }, range: { gt: 2 } }),
    ).toBe(2);
    expect(await todos.getMany(['p', 'zz', 'b4'])).toEqual([
      { list: 'groceries', at: 2.5, title: 'pending' },
      undefined,
      { list: 'work', at: 4, title: 'base 4' },
    ]);
    await expect(todos.find({ index: 'nope' })).rejects.toThrow(FerryValidationError);
    await expect(todos.find({ index: 'byList', where: { at: 1 } })).rejects.toThrow(
      /leading fields/,
    );
    await client.close();
  });

  it('a live query delivers the ordered, limited window again after each change', async () => {
    const { client, todos } = open();
    const seen: string[][] = [];
    let last: Row<Todo>[] = [];
    const stop = todos.subscribe({ index: 'byList', where: { list: 'a' }, limit: 2 }, (rows) => {
      last = rows;
      seen.push(rows.map((r) => r.key));
    });
    const until = async (keys: string[]) => {
      for (
        let i = 0;
        i < 100 && JSON.stringify(last.map((r) => r.key)) !== JSON.stringify(keys);
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(last.map((r) => r.key)).toEqual(keys);
    };
    await until([]);
    await todos.put('x', { list: 'a', at: 5, title: '' });
    await until(['x']);
    await todos.put('y', { list: 'a', at: 1, title: '' });
    await until(['y', 'x']);
    await todos.put('z', { list: 'a', at: 0, title: '' });
    await until(['z', 'y']);
    await todos.delete('y');
    await until(['z', 'x']);
    stop();
    expect(Object.isFrozen(last[0])).toBe(true);
    await client.close();
  });
});

describe('reads beside commits', () => {
  it('a read waits for the commit running, not for the commits queued behind it', async () => {
    const store = createMemoryStore();
    let holdCommits = false;
    const held: (() => void)[] = [];
    const commit = store.commit.bind(store);
    store.commit = async (batch) => {
      if (holdCommits) await new Promise<void>((release) => held.push(release));
      return commit(batch);
    };
    const { client, todos } = open(store);
    await todos.put('ready', { list: 'l', at: 0, title: 'opened' });
    holdCommits = true;
    const first = todos.put('a', { list: 'l', at: 1, title: 'first' });
    const second = todos.put('b', { list: 'l', at: 2, title: 'second' });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick();
    // The first write's commit runs; the second is queued behind it.
    expect(held).toHaveLength(1);
    let read: Row<Todo>[] | undefined;
    const reading = todos.find({}).then((rows) => {
      read = rows;
    });
    await tick();
    expect(read).toBeUndefined();
    held.shift()!();
    await first;
    await reading;
    // The read saw the first write and ran while the second still waited for its commit.
    expect(read?.map((row) => row.key)).toEqual(['a', 'ready']);
    await tick();
    expect(held).toHaveLength(1);
    held.shift()!();
    await second;
    expect((await todos.find({})).map((row) => row.key)).toEqual(['a', 'b', 'ready']);
    await client.close();
  });
});

describe('pending writes remembered between queries', () => {
  it('a key written again, a patch on a stored record and a delete each move the row', async () => {
    const { store, client, todos } = open();
    await store.commit({
      putRecords: [
        {
          space: 's',
          collection: 'todos',
          key: 'stored',
          version: 1,
          value: { list: 'work', at: 5, title: 'stored' },
        },
      ],
    });
    const groceries = { index: 'byList', where: { list: 'groceries' }, order: 'asc' } as const;
    const keys = async () => (await todos.find(groceries)).map((row) => row.key);
    await todos.bulkPut(
      Array.from({ length: 10 }, (_, i) => [`n${i}`, { list: 'groceries', at: i, title: '' }]),
    );
    expect(await keys()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9']);
    // The same key again: its group of writes grows, and its row moves.
    await todos.put('n0', { list: 'groceries', at: 20, title: '' });
    await todos.patch('n1', { list: 'work' });
    await todos.delete('n2');
    expect(await keys()).toEqual(['n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n0']);
    // A patch builds on the stored record, so its row follows the record.
    await todos.patch('stored', { title: 'edited' });
    expect(await keys()).not.toContain('stored');
    await store.commit({
      putRecords: [
        {
          space: 's',
          collection: 'todos',
          key: 'stored',
          version: 2,
          value: { list: 'groceries', at: 30, title: 'moved by the server' },
        },
      ],
    });
    const rows = await todos.find(groceries);
    expect(rows.at(-1)).toMatchObject({
      key: 'stored',
      pending: true,
      value: { list: 'groceries', at: 30, title: 'edited' },
    });
    await client.close();
  });
});

describe('live queries sharing rows', () => {
  it('a subscription to a query just delivered gets its rows without a read, until a change', async () => {
    const { store, client, todos } = open();
    await todos.bulkPut([
      ['a', { list: 'groceries', at: 1, title: 'a' }],
      ['b', { list: 'groceries', at: 2, title: 'b' }],
      ['c', { list: 'work', at: 3, title: 'c' }],
    ]);
    let scans = 0;
    const scanIndex = store.scanIndex.bind(store);
    store.scanIndex = (...args) => {
      scans++;
      return scanIndex(...args);
    };
    const firstRows = (subscribe: (listener: (rows: Row<Todo>[]) => void) => () => void) =>
      new Promise<Row<Todo>[]>((resolve) => {
        const stop = subscribe((rows) => {
          stop();
          resolve(rows);
        });
      });
    const query = { index: 'byList', where: { list: 'groceries' }, order: 'desc' } as const;
    const first = await firstRows((l) => todos.subscribe(query, l));
    expect(first.map((row) => row.key)).toEqual(['b', 'a']);
    const readsForFirst = scans;
    expect(readsForFirst).toBeGreaterThan(0);
    const again = await firstRows((l) => todos.subscribe({ ...query }, l));
    expect(scans).toBe(readsForFirst);
    expect(again[0]).toBe(first[0]);
    // Not the same query: a missing field is not "any value".
    const missing = await firstRows((l) =>
      todos.subscribe({ index: 'byList', where: { list: undefined } }, l),
    );
    expect(missing).toEqual([]);
    const all = await firstRows((l) => todos.subscribe({ index: 'byList' }, l));
    expect(all.map((row) => row.key)).toEqual(['a', 'b', 'c']);
    // A change drops what was kept: the next subscription reads, and sees the write.
    await todos.put('d', { list: 'groceries', at: 4, title: 'd' });
    const before = scans;
    const afterWrite = await firstRows((l) => todos.subscribe(query, l));
    expect(scans).toBeGreaterThan(before);
    expect(afterWrite.map((row) => row.key)).toEqual(['d', 'b', 'a']);
    // A subscription that took shared rows keeps itself up to date like any other.
    const updates: string[][] = [];
    const stop = todos.subscribe(query, (rows) => updates.push(rows.map((row) => row.key)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await todos.delete('b');
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    expect(updates).toEqual([
      ['d', 'b', 'a'],
      ['d', 'a'],
    ]);
    await client.close();
  });
});
