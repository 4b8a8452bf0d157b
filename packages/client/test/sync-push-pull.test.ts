import { describe, expect, it } from 'vitest';
import type { RejectionEvent, Row } from '../src/index.ts';
import { BASE_URL } from './support/fake-server.ts';
import { createServer, recorder, settle, setup, type Todo } from './support/harness.ts';
import { pullBodies, pushBodies } from './support/requests.ts';

describe('sync: push then pull', () => {
  it('converges: local writes reach the server and come back as confirmed base records', async () => {
    const { client, server, store } = setup();
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    await todos.patch('t1', { done: true });
    await todos.put('t2', { title: 'bread' });
    await todos.delete('t2');

    const result = await client.sync();

    expect(result).toEqual({ pushed: 4, pulled: 2, rejected: 0, reset: false });
    expect(server.recordsOf('alice', 'todos')).toEqual({ t1: { title: 'milk', done: true } });
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'milk', done: true }, version: 2, pending: false },
    ]);
    expect(await store.listOutbox()).toEqual([]);
    expect(client.getStatus()).toMatchObject({ state: 'idle', pendingCount: 0, lastError: null });
  });

  it('brings another client of the same space to the same state', async () => {
    const server = createServer();
    const alice = setup({ defaultSpace: 'team' }, server).client;
    const bob = setup({ defaultSpace: 'team', getToken: () => 'token-bob' }, server).client;
    await alice.collection('todos').put('shared', { title: 'from alice' });
    await bob.collection('todos').put('mine', { title: 'from bob' });
    await alice.sync();
    await bob.sync();
    await alice.sync();
    const view = async (client: typeof alice) =>
      (await client.collection('todos').query()).map(({ key, value }) => ({ key, value }));
    expect(await view(alice)).toEqual(await view(bob));
    expect(await view(alice)).toHaveLength(2);
  });

  it('pushes and pulls even with an empty outbox, sending the stored cursor and clientId', async () => {
    const { client, server, restart } = setup();
    server.commit('alice', 'todos', 'remote', { title: 'from server' });
    expect(await client.sync()).toEqual({ pushed: 0, pulled: 1, rejected: 0, reset: false });
    expect(server.countRequests('push')).toBe(0);
    await client.close();

    server.commit('alice', 'todos', 'later', { title: 'later' });
    const again = restart();
    await again.sync();
    const pulls = pullBodies(server);
    expect(pulls[0]).toMatchObject({ cursor: null, limit: 1000 });
    expect(pulls[0]).not.toHaveProperty('spaces');
    expect(pulls[1]?.cursor).toBe('1');
    expect(pulls[1]?.clientId).toBe(pulls[0]?.clientId);
    expect((await again.collection('todos').query()).map((r) => r.key)).toEqual([
      'later',
      'remote',
    ]);
  });

  it('appends routes to a base url with a path prefix and a trailing slash', async () => {
    const { client, server } = setup({ url: `${BASE_URL}/` });
    await client.sync();
    expect(server.requests.map((r) => r.route)).toEqual(['pull']);
  });

  it('names the requested spaces in every pull', async () => {
    const { client, server } = setup({ spaces: ['alice'] });
    await client.sync();
    expect(pullBodies(server)[0]?.spaces).toEqual(['alice']);
  });

  it('sends pushes in batches of pushBatchSize', async () => {
    const { client, server } = setup({ pushBatchSize: 2 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      await client.collection('todos').put(key, { title: key });
    }
    expect((await client.sync()).pushed).toBe(5);
    expect(pushBodies(server).map((b) => b.mutations.map((m) => m.id))).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
  });

  it('records lastSuccessAt from the injected clock', async () => {
    const { client, store } = setup({ now: () => 1_700_000_000_000 });
    await client.sync();
    expect(client.getStatus().lastSuccessAt).toBe(1_700_000_000_000);
    expect(await store.getMeta('lastSuccessAt')).toBe(1_700_000_000_000);
  });
});

describe('sync: rejections', () => {
  it('rolls a rejected mutation back, reports it, and keeps the others', async () => {
    const { client, server, store } = setup();
    server.rejectWhen = (m) =>
      m.key === 'bad' ? { code: 'invalid', message: 'title too long' } : undefined;
    const todos = client.collection('todos');
    const rejected = recorder<RejectionEvent>();
    client.on('rejected', rejected.listener);
    const rows = recorder<Row<Todo>[]>();
    todos.subscribe(rows.listener);
    await todos.put('good', { title: 'ok' });
    await todos.put('bad', { title: 'x'.repeat(1000) });
    await settle();
    expect(rows.last()?.map((r) => r.key)).toEqual(['bad', 'good']);

    const result = await client.sync();
    await settle();

    expect(result).toMatchObject({ pushed: 1, rejected: 1 });
    expect(rejected.calls).toEqual([
      {
        mutation: expect.objectContaining({ id: 2, key: 'bad', op: 'put' }),
        code: 'invalid',
        message: 'title too long',
      },
    ]);
    expect(rows.last()?.map((r) => r.key)).toEqual(['good']);
    expect(await todos.get('bad')).toBeUndefined();
    expect(await store.listOutbox()).toEqual([]);
  });

  it('rolls a conflicting conditional write back to the server state', async () => {
    const { client, server } = setup();
    const todos = client.collection('todos');
    server.commit('alice', 'todos', 't1', { title: 'v1' });
    await client.sync();
    const [row] = await todos.query();
    expect(row?.version).toBe(1);
    server.commit('alice', 'todos', 't1', { title: 'v2 by someone else' });
    await todos.patch('t1', { done: true }, { ifVersion: row?.version ?? 0 });
    expect(await todos.get('t1')).toEqual({ title: 'v1', done: true });
    const rejected = recorder<RejectionEvent>();
    client.on('rejected', rejected.listener);

    await client.sync();

    expect(rejected.last()?.code).toBe('conflict');
    expect(await todos.get('t1')).toEqual({ title: 'v2 by someone else' });
  });

  it('rolls back a write to a space the token does not grant', async () => {
    const { client } = setup();
    const foreign = client.collection('todos', { space: 'bob' });
    await foreign.put('x', { title: 'not mine' });
    const result = await client.sync();
    expect(result.rejected).toBe(1);
    expect(await foreign.get('x')).toBeUndefined();
  });
});
