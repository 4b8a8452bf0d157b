import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  createMemoryStore,
  FerryClosedError,
  FerryConfigError,
  FerryValidationError,
  type Row,
} from '../src/index.ts';
import { BASE_URL } from './support/fake-server.ts';
import { recorder, settle, setup, type Todo } from './support/harness.ts';

describe('local writes', () => {
  it('are visible at once and stored in the outbox before the promise resolves', async () => {
    const { client, store } = setup();
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    expect(await todos.get('t1')).toEqual({ title: 'milk' });
    const outbox = await store.listOutbox();
    expect(outbox).toEqual([
      {
        id: 1,
        space: 'alice',
        collection: 'todos',
        key: 't1',
        op: 'put',
        value: { title: 'milk' },
      },
    ]);
    expect(await store.getMeta('nextMutationId')).toBe(2);
    expect(client.getStatus().pendingCount).toBe(1);
  });

  it('survive a restart: a new client on the same store sees the same outbox and view', async () => {
    const { client, store, restart } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    await client.collection('todos').patch('t1', { done: true });
    await client.close();
    const reopened = restart();
    expect(await reopened.collection('todos').query()).toEqual([
      { key: 't1', value: { title: 'milk', done: true }, version: null, pending: true },
    ]);
    expect((await store.listOutbox()).map((m) => m.id)).toEqual([1, 2]);
    expect(reopened.getStatus().pendingCount).toBe(2);
  });

  it('get strictly increasing ids that are never reused across restarts', async () => {
    const { client, store, restart, server } = setup();
    await client.collection('todos').put('a', { title: 'a' });
    await client.collection('todos').put('b', { title: 'b' });
    await client.sync();
    expect(await store.listOutbox()).toEqual([]);
    await client.close();

    const second = restart();
    await second.collection('todos').delete('a');
    await second.close();
    const third = restart();
    await third.collection('todos').put('c', { title: 'c' });
    expect((await store.listOutbox()).map((m) => m.id)).toEqual([3, 4]);
    await third.sync();
    expect(server.clients.get(await third.getClientId())?.lastMutationId).toBe(4);
  });

  it('are serialised: concurrent writes get ids in call order', async () => {
    const { client, store } = setup();
    const todos = client.collection('todos');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => todos.put(`k${i}`, { title: String(i) })),
    );
    const outbox = await store.listOutbox();
    expect(outbox.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(outbox.map((m) => m.key)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
  });

  it('apply put, patch and delete to the local view like the server does', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    await todos.patch('new', { title: 'created by patch', note: null });
    await todos.put('t1', { title: 'milk', note: 'oat' });
    await todos.patch('t1', { done: true, note: null });
    await todos.put('gone', { title: 'x' });
    await todos.delete('gone');
    expect(await todos.get('gone')).toBeUndefined();
    expect(await todos.query()).toEqual([
      { key: 'new', value: { title: 'created by patch' }, version: null, pending: true },
      { key: 't1', value: { title: 'milk', done: true }, version: null, pending: true },
    ]);
  });

  it('query filters with where and sorts by key', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    for (const key of ['b', 'c', 'a']) await todos.put(key, { title: key, done: key !== 'b' });
    const done = await todos.query({ where: (value, key) => value.done === true && key !== 'c' });
    expect(done.map((row) => row.key)).toEqual(['a']);
    expect((await todos.query()).map((row) => row.key)).toEqual(['a', 'b', 'c']);
  });

  it('copy values in and out, so callers cannot change stored state by reference', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    const value: Todo = { title: 'milk' };
    await todos.put('t1', value);
    value.title = 'changed after put';
    const read = await todos.get('t1');
    if (read) read.title = 'changed after get';
    expect(await todos.get('t1')).toEqual({ title: 'milk' });
  });

  it('copy nested values too, both the pending write and the row read back', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    const value = { title: 'milk', tags: ['shop'], meta: { n: 1 } };
    await todos.put('t1', value as Todo);
    value.tags.push('changed after put');
    value.meta.n = 2;
    const read = (await todos.get('t1')) as unknown as typeof value;
    read.tags.push('changed after get');
    read.meta.n = 3;
    expect(await todos.get('t1')).toEqual({ title: 'milk', tags: ['shop'], meta: { n: 1 } });
  });

  it('take an object that two fields share, and store each as a copy of its own', async () => {
    const { client, store, server, restart } = setup();
    const todos = client.collection('todos');
    const shared = { n: 1 };
    await todos.put('t1', { title: 'milk', a: shared, b: [shared] } as unknown as Todo);
    const read = (await todos.get('t1')) as unknown as { a: { n: number }; b: { n: number }[] };
    const expected = { title: 'milk', a: { n: 1 }, b: [{ n: 1 }] };
    expect(read).toEqual(expected);
    read.a.n = 2;
    expect(read.b[0]!.n).toBe(1);
    expect(await store.listOutbox()).toHaveLength(1);
    // Kept through a restart, and pushed whole.
    await client.close();
    const reopened = restart();
    expect(await reopened.collection('todos').get('t1')).toEqual(expected);
    await reopened.sync();
    expect(server.recordsOf('alice', 'todos')).toEqual({ t1: expected });
    await reopened.close();
  });

  it('keep collections and spaces apart', async () => {
    const { client } = setup();
    await client.collection('todos').put('k', { title: 'alice todo' });
    await client.collection('todos', { space: 'team' }).put('k', { title: 'team todo' });
    await client.collection('notes').put('k', { text: 'note' });
    expect(await client.collection('todos').get('k')).toEqual({ title: 'alice todo' });
    expect(await client.collection('todos', { space: 'team' }).get('k')).toEqual({
      title: 'team todo',
    });
    expect((await client.collection('notes').query()).map((r) => r.value)).toEqual([
      { text: 'note' },
    ]);
  });
});

describe('write validation', () => {
  it('refuses bad keys, values and ifVersion with FerryValidationError, changing nothing', async () => {
    const { client, store } = setup();
    const todos = client.collection('todos');
    const attempts = [
      todos.put('', { title: 'x' }),
      todos.put('k\u0000', { title: 'x' }),
      todos.put('k'.repeat(257), { title: 'x' }),
      todos.put('k', { title: undefined } as unknown as Todo),
      todos.put('k', { title: 'x', when: new Date() } as unknown as Todo),
      todos.put('k', ['not', 'an', 'object'] as unknown as Todo),
      todos.put('k', { title: 'x', n: Number.NaN } as unknown as Todo),
      todos.patch('k', { title: () => 'x' } as unknown as Todo),
      todos.delete('k', { ifVersion: -1 }),
      todos.put('k', { title: 'x' }, { ifVersion: 1.5 }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toThrow(FerryValidationError);
    expect(await store.listOutbox()).toEqual([]);
    expect(await todos.query()).toEqual([]);
  });

  it('says what is wrong and where', async () => {
    const { client } = setup();
    await expect(
      client.collection('todos').patch('t1', { title: undefined } as unknown as Todo),
    ).rejects.toThrow(/patch\("t1"\) in alice\/todos: value\.title is undefined.*use null/);
  });

  it('refuses an integer beyond 2^53 - 1, naming its path, and writes nothing', async () => {
    const { client, store } = setup();
    const todos = client.collection('todos');
    const big = 2 ** 53 + 1; // 9007199254740993 is no double: this is 9007199254740992
    const path =
      /put\("t1"\) in alice\/todos: value\.meta\.ids\[1\] is an integer beyond ±\(2\^53 − 1\).*store big integers as strings/;
    const value = { title: 'x', meta: { ids: [1, big] } } as unknown as Todo;
    await expect(todos.put('t1', value)).rejects.toThrow(FerryValidationError);
    await expect(todos.put('t1', value)).rejects.toThrow(path);
    await expect(todos.patch('t1', { count: -big } as unknown as Todo)).rejects.toThrow(
      /patch\("t1"\) in alice\/todos: value\.count is an integer beyond .*Number\.MAX_SAFE_INTEGER.*\(a BigInt as String\(n\)\)\.$/,
    );
    await expect(
      todos.put('t1', { title: 'x', n: Number.POSITIVE_INFINITY } as unknown as Todo),
    ).rejects.toThrow(/value\.n is Infinity/);
    expect(await store.listOutbox()).toEqual([]);
    expect(await store.getMeta('nextMutationId')).toBeUndefined();
    expect(await todos.query()).toEqual([]);
    expect(client.getStatus().pendingCount).toBe(0);

    // The largest safe integer, fractions and numbers JSON writes in exponent form are kept.
    const kept = { title: 'x', max: Number.MAX_SAFE_INTEGER, half: 0.5, huge: 1.5e300 };
    await todos.put('t1', kept as unknown as Todo);
    expect(await todos.get('t1')).toEqual(kept);
    expect(await store.listOutbox()).toMatchObject([{ op: 'put', value: kept }]);
  });

  it('requires a space for a collection, and a valid collection name', () => {
    const { client } = setup({ defaultSpace: undefined });
    expect(() => client.collection('todos')).toThrow(FerryConfigError);
    expect(() => client.collection('todos')).toThrow(/pass \{ space \} or set the defaultSpace/);
    expect(() => client.collection('to do' as 'todos', { space: 'alice' })).toThrow(
      FerryValidationError,
    );
    expect(() => client.collection('todos', { space: 'not a space' })).toThrow(
      FerryValidationError,
    );
  });

  it('refuses a collection in a space the client does not pull', () => {
    const { client } = setup({ spaces: ['alice'] });
    expect(() => client.collection('todos', { space: 'team' })).toThrow(/not among the spaces/);
  });
});

describe('client options', () => {
  const base = { url: BASE_URL, store: createMemoryStore(), getToken: () => 't' };

  it('refuses bad options with FerryConfigError naming the option', () => {
    const bad: Array<[object, RegExp]> = [
      [{ url: 'ftp://x.test' }, /http or https/],
      [{ url: 'not a url' }, /not a valid absolute URL/],
      [{ url: 'https://x.test/sync?x=1' }, /query or fragment/],
      [{ spaces: [] }, /non-empty array/],
      [{ spaces: ['ok', 'not ok'] }, /not a space name/],
      [{ defaultSpace: 'a', spaces: ['b'] }, /defaultSpace "a" is not among spaces/],
      [{ pullLimit: 0 }, /pullLimit must be an integer from 1 to 5000/],
      [{ pushBatchSize: 1001 }, /pushBatchSize must be an integer from 1 to 1000/],
      [{ getToken: 'token' }, /getToken must be a function/],
    ];
    for (const [options, message] of bad) {
      expect(() => createClient({ ...base, ...options } as never)).toThrow(message);
      expect(() => createClient({ ...base, ...options } as never)).toThrow(FerryConfigError);
    }
  });

  it('accepts a same-origin path as the url', () => {
    expect(() => createClient({ ...base, url: '/sync' })).not.toThrow();
  });
});

describe('client id', () => {
  it('is generated once, stored, and kept by later clients on the same store', async () => {
    const { client, store, restart } = setup();
    const id = await client.getClientId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await store.getMeta('clientId')).toBe(id);
    expect(await restart().getClientId()).toBe(id);
  });

  it('comes from generateClientId when given, and a bad one is refused', async () => {
    expect(await setup({ generateClientId: () => 'custom-id' }).client.getClientId()).toBe(
      'custom-id',
    );
    const { client } = setup({ generateClientId: () => 'no spaces allowed' });
    await expect(client.getClientId()).rejects.toThrow(FerryConfigError);
    await expect(client.collection('todos').put('k', { title: 'x' })).rejects.toThrow(
      /generateClientId returned/,
    );
    expect(client.getStatus().state).toBe('error');
  });
});

describe('subscribe', () => {
  it('fires with the current rows, then after each local write, until unsubscribed', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    await todos.put('a', { title: 'a' });
    const rows = recorder<Row<Todo>[]>();
    const unsubscribe = todos.subscribe(rows.listener);
    expect(rows.calls).toHaveLength(0);
    await settle();
    expect(rows.last()?.map((r) => r.key)).toEqual(['a']);
    await todos.put('b', { title: 'b' });
    await settle();
    expect(rows.last()?.map((r) => r.key)).toEqual(['a', 'b']);
    const count = rows.calls.length;
    unsubscribe();
    await todos.put('c', { title: 'c' });
    await settle();
    expect(rows.calls).toHaveLength(count);
  });

  it('ignores writes to other collections and spaces, and applies where', async () => {
    const { client } = setup();
    const rows = recorder<Row<Todo>[]>();
    client.collection('todos').subscribe(rows.listener, { where: (todo) => todo.done === true });
    await settle();
    const initial = rows.calls.length;
    await client.collection('notes').put('n', { text: 'x' });
    await client.collection('todos', { space: 'team' }).put('t', { title: 'x' });
    await settle();
    expect(rows.calls).toHaveLength(initial);
    await client.collection('todos').put('open', { title: 'x', done: false });
    await client.collection('todos').put('done', { title: 'x', done: true });
    await settle();
    expect(rows.last()?.map((r) => r.key)).toEqual(['done']);
  });

  it('keeps going when a listener throws', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    const rows = recorder<Row<Todo>[]>();
    todos.subscribe(() => {
      throw new Error('listener bug');
    });
    todos.subscribe(rows.listener);
    await todos.put('a', { title: 'a' });
    await settle();
    expect(rows.last()?.map((r) => r.key)).toEqual(['a']);
  });
});

describe('close', () => {
  it('waits for accepted writes, leaves the store open, and refuses further calls', async () => {
    const { client, store } = setup();
    const todos = client.collection('todos');
    const write = todos.put('t1', { title: 'milk' });
    await client.close();
    await write;
    expect(await store.listOutbox()).toHaveLength(1);
    expect(() => client.collection('todos')).toThrow(FerryClosedError);
    await expect(todos.put('t2', { title: 'x' })).rejects.toThrow(FerryClosedError);
    await expect(todos.get('t1')).rejects.toThrow(FerryClosedError);
    await expect(client.sync()).rejects.toThrow(FerryClosedError);
    expect(() => client.on('change', () => {})).toThrow(FerryClosedError);
    expect(client.getStatus().pendingCount).toBe(1);
    await client.close();
  });
});

describe('typing by schema', () => {
  it('gives each collection the value type of its schema entry', () => {
    const { client } = setup();
    const todos = client.collection('todos');
    expectTypeOf(todos.get).returns.resolves.toEqualTypeOf<Todo | undefined>();
    expectTypeOf(todos.query).returns.resolves.toEqualTypeOf<Row<Todo>[]>();
    expectTypeOf(client.collection('notes').put).parameter(1).toEqualTypeOf<{ text: string }>();
    expectTypeOf(todos.patch).parameter(1).toMatchTypeOf<{ title?: string | null }>();
    // @ts-expect-error: not a collection of the schema
    expect(() => client.collection('nope')).not.toThrow();
    const untyped = createClient({
      url: BASE_URL,
      store: createMemoryStore(),
      getToken: () => 't',
    });
    expectTypeOf(untyped.collection('anything', { space: 's' }).get).returns.resolves.toEqualTypeOf<
      import('@ferry/protocol').JsonObject | undefined
    >();
  });
});
