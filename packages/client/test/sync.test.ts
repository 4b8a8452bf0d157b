import type { PullRequest, PushRequest } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import {
  FerryClosedError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  type RejectionEvent,
  type Row,
  type SyncStatus,
} from '../src/index.ts';
import { BASE_URL } from './support/fake-server.ts';
import {
  ALICE_TOKEN,
  createServer,
  recorder,
  settle,
  setup,
  type Todo,
} from './support/harness.ts';

const pushBodies = (server: ReturnType<typeof createServer>) =>
  server.requests.filter((r) => r.route === 'push').map((r) => r.body as PushRequest);
const pullBodies = (server: ReturnType<typeof createServer>) =>
  server.requests.filter((r) => r.route === 'pull').map((r) => r.body as PullRequest);

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

describe('sync: failures and retries', () => {
  it('after a lost push response, resending yields duplicates and no second effect', async () => {
    const { client, server, store } = setup();
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    await todos.patch('t1', { count: 1 } as Partial<Todo>);
    server.losePushResponses = 1;

    await expect(client.sync()).rejects.toThrow(FerryNetworkError);
    expect(server.version).toBe(2);
    expect(client.getStatus().state).toBe('error');
    expect(await store.listOutbox()).toHaveLength(2);
    expect(await todos.get('t1')).toEqual({ title: 'milk', count: 1 });

    const result = await client.sync();
    expect(result).toMatchObject({ pushed: 2, rejected: 0 });
    expect(server.version).toBe(2);
    expect(pushBodies(server).map((b) => b.mutations.map((m) => m.id))).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'milk', count: 1 }, version: 2, pending: false },
    ]);
    expect(client.getStatus()).toMatchObject({ state: 'idle', lastError: null, pendingCount: 0 });
  });

  it('after a crash between push and acknowledgement, a restarted client sends again safely', async () => {
    const { client, server, restart } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    server.losePushResponses = 1;
    await expect(client.sync()).rejects.toThrow(FerryNetworkError);
    await client.close();

    const restarted = restart();
    await restarted.sync();
    expect(server.version).toBe(1);
    expect(await restarted.collection('todos').query()).toMatchObject([
      { key: 't1', pending: false, version: 1 },
    ]);
  });

  it('keeps applied mutations pending until a pull confirms them, without pushing them again', async () => {
    const { client, server } = setup();
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    server.failures.push({ route: 'pull', status: 503, retryAfterSeconds: 5 });

    const error = await client.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryHttpError);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 5 });
    expect(client.getStatus()).toMatchObject({
      state: 'error',
      pendingCount: 1,
      lastError: { code: 'unavailable' },
    });
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'milk' }, version: null, pending: true },
    ]);

    await client.sync();
    expect(server.countRequests('push')).toBe(1);
    expect(await todos.query()).toMatchObject([{ key: 't1', pending: false, version: 1 }]);
  });

  it('shows pending local state over the base while the pull is under way', async () => {
    const { client, server } = setup();
    const todos = client.collection('todos');
    server.commit('alice', 'todos', 't1', { title: 'milk', done: false });
    await client.sync();
    await todos.patch('t1', { done: true });
    server.commit('alice', 'todos', 't1', { title: 'oat milk', done: false });
    const pull = server.hold('pull');
    const syncing = client.sync();
    await pull.arrived;
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'milk', done: true }, version: 1, pending: true },
    ]);
    pull.release();
    await syncing;
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'oat milk', done: true }, version: 3, pending: false },
    ]);
  });

  it('leaves a write made during a sync in the outbox for the next one', async () => {
    const { client, server } = setup();
    const todos = client.collection('todos');
    await todos.put('first', { title: '1' });
    const push = server.hold('push');
    const syncing = client.sync();
    await push.arrived;
    await todos.put('second', { title: '2' });
    push.release();
    await syncing;
    expect(await todos.query()).toMatchObject([
      { key: 'first', pending: false },
      { key: 'second', pending: true },
    ]);
    await client.sync();
    expect(server.recordsOf('alice', 'todos')).toEqual({
      first: { title: '1' },
      second: { title: '2' },
    });
    expect(client.getStatus().pendingCount).toBe(0);
  });

  it('refuses a non-protocol answer without touching the store', async () => {
    const { client, store } = setup({
      fetch: async () => new Response('<!doctype html><title>My app</title>', { status: 200 }),
    });
    await expect(client.sync()).rejects.toThrow(FerryProtocolError);
    expect(await store.getMeta('cursor')).toBeUndefined();
  });

  it('refuses a pull page whose change is malformed', async () => {
    const { client, store } = setup({
      fetch: async () =>
        Response.json({
          changes: [{ space: 'alice', collection: 'todos', key: 'k', version: 1, value: [1] }],
          cursor: '1',
          hasMore: false,
          lastMutationId: 0,
        }),
    });
    await expect(client.sync()).rejects.toThrow(/changes\[0\]\.value/);
    expect(await store.listRecords('alice', 'todos')).toEqual([]);
  });
});

describe('sync: pull pages and resets', () => {
  it('follows hasMore page by page, committing the cursor of each page', async () => {
    const { client, server, store } = setup({ pullLimit: 2 });
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      server.commit('alice', 'todos', key, { title: key });
    const result = await client.sync();
    expect(result.pulled).toBe(5);
    expect(pullBodies(server).map((b) => b.cursor)).toEqual([null, '2', '4']);
    expect(pullBodies(server).every((b) => b.limit === 2)).toBe(true);
    expect(await store.getMeta('cursor')).toBe('5');
    expect((await client.collection('todos').query()).map((r) => r.key)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
  });

  it('resumes from the last committed page after a failure between pages', async () => {
    const server = createServer();
    let pulls = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/v1/pull') && ++pulls === 2) throw new TypeError('offline');
      return server.fetch(input, init);
    };
    const { client, store } = setup({ pullLimit: 2, fetch: flaky }, server);
    for (const key of ['a', 'b', 'c']) server.commit('alice', 'todos', key, { title: key });
    await expect(client.sync()).rejects.toThrow(FerryNetworkError);
    expect(await store.getMeta('cursor')).toBe('2');
    expect((await store.listRecords('alice', 'todos')).map((r) => r.key)).toEqual(['a', 'b']);
    await client.sync();
    expect(pullBodies(server).map((b) => b.cursor)).toEqual([null, '2']);
    expect((await store.listRecords('alice', 'todos')).map((r) => r.key)).toEqual(['a', 'b', 'c']);
  });

  it('applies deletions from the server and removes the base record', async () => {
    const { client, server } = setup();
    server.commit('alice', 'todos', 't1', { title: 'x' });
    await client.sync();
    server.commit('alice', 'todos', 't1', null);
    await client.sync();
    expect(await client.collection('todos').get('t1')).toBeUndefined();
  });

  it('on reset replaces the requested spaces only, keeping the outbox', async () => {
    const { client, server, store } = setup({ spaces: ['alice'] });
    server.commit('alice', 'todos', 'kept', { title: 'on server' });
    await client.sync();
    // Records the server no longer has, and records of a space this client does not pull.
    await store.commit({
      putRecords: [
        { space: 'alice', collection: 'todos', key: 'stale', value: { title: 'x' }, version: 9 },
        {
          space: 'other',
          collection: 'todos',
          key: 'elsewhere',
          value: { title: 'y' },
          version: 9,
        },
      ],
    });
    server.resetNextPull = true;
    const result = await client.sync();

    expect(result.reset).toBe(true);
    expect((await store.listRecords('alice', 'todos')).map((r) => r.key)).toEqual(['kept']);
    expect((await store.listRecords('other', 'todos')).map((r) => r.key)).toEqual(['elsewhere']);
  });

  it('on reset without a spaces option replaces every space', async () => {
    const { client, server, store } = setup();
    await client.sync();
    await store.commit({
      putRecords: [
        { space: 'other', collection: 'todos', key: 'stale', value: { title: 'y' }, version: 9 },
      ],
    });
    server.commit('team', 'todos', 'fresh', { title: 'z' });
    server.resetNextPull = true;
    expect((await client.sync()).reset).toBe(true);
    expect(await store.listRecords('other', 'todos')).toEqual([]);
    expect((await store.listRecords('team', 'todos')).map((r) => r.key)).toEqual(['fresh']);
  });

  it('keeps pending local writes visible across a reset', async () => {
    const { client, server } = setup();
    await client.sync();
    const push = server.hold('push');
    await client.collection('todos').put('local', { title: 'mine' });
    server.resetNextPull = true;
    const syncing = client.sync();
    await push.arrived;
    expect(await client.collection('todos').get('local')).toEqual({ title: 'mine' });
    push.release();
    await syncing;
    expect(await client.collection('todos').query()).toMatchObject([
      { key: 'local', pending: false },
    ]);
  });

  it('starts over from the beginning when the spaces option changed since the last run', async () => {
    const server = createServer();
    const first = setup({ spaces: ['alice', 'team'] }, server);
    server.commit('team', 'todos', 'team-only', { title: 't' });
    server.commit('alice', 'todos', 'mine', { title: 'm' });
    await first.client.sync();
    await first.client.close();

    const second = first.restart({ spaces: ['alice'] });
    await second.sync();
    expect(pullBodies(server).at(-1)).toMatchObject({ cursor: null, spaces: ['alice'] });
    expect(await first.store.listRecords('team', 'todos')).toEqual([]);
    expect((await first.store.listRecords('alice', 'todos')).map((r) => r.key)).toEqual(['mine']);
  });
});

describe('sync: one at a time, auth, status, close', () => {
  it('shares one run between concurrent sync() calls', async () => {
    const { client, server } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    const push = server.hold('push');
    const a = client.sync();
    const b = client.sync();
    expect(b).toBe(a);
    await push.arrived;
    const c = client.sync();
    expect(c).toBe(a);
    push.release();
    await Promise.all([a, b, c]);
    expect(server.countRequests('push')).toBe(1);
    expect(server.countRequests('pull')).toBe(1);
  });

  it('refreshes a refused token once and carries on', async () => {
    const server = createServer();
    let token = 'expired';
    const calls: boolean[] = [];
    const { client } = setup(
      {
        getToken: ({ refresh }) => {
          calls.push(refresh);
          if (refresh) token = ALICE_TOKEN;
          return token;
        },
      },
      server,
    );
    await client.collection('todos').put('t1', { title: 'milk' });
    await client.sync();
    expect(calls).toEqual([false, true, false]);
    expect(server.requests.map((r) => [r.route, r.authorization])).toEqual([
      ['push', 'Bearer expired'],
      ['push', `Bearer ${ALICE_TOKEN}`],
      ['pull', `Bearer ${ALICE_TOKEN}`],
    ]);
  });

  it('fails with a typed 401 when the refreshed token is refused too', async () => {
    const { client, server } = setup({ getToken: () => 'never-valid' });
    const error = await client.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryHttpError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(server.countRequests('pull')).toBe(2);
  });

  it('publishes status changes: syncing, then idle or error', async () => {
    const { client, server } = setup({ now: () => 42 });
    await client.getClientId();
    const statuses = recorder<SyncStatus>();
    client.subscribeStatus(statuses.listener);
    const events = recorder<SyncStatus>();
    client.on('status', events.listener);
    await client.collection('todos').put('t1', { title: 'milk' });
    await client.sync();
    server.failures.push({ route: 'pull', status: 500, rawBody: 'boom' });
    await client.sync().catch(() => {});
    expect(statuses.calls.map((s) => [s.state, s.pendingCount])).toEqual([
      ['idle', 1],
      ['syncing', 1],
      ['syncing', 0],
      ['idle', 0],
      ['syncing', 0],
      ['error', 0],
    ]);
    expect(statuses.last()?.lastError?.message).toContain('HTTP 500');
    expect(statuses.last()?.lastSuccessAt).toBe(42);
    expect(events.calls).toEqual(statuses.calls);
  });

  it('notifies subscribers of pulled changes and emits change events', async () => {
    const { client, server } = setup();
    const rows = recorder<Row<Todo>[]>();
    client.collection('todos').subscribe(rows.listener);
    const changes = recorder<unknown>();
    client.on('change', changes.listener);
    await settle();
    server.commit('alice', 'todos', 'remote', { title: 'hello' });
    await client.sync();
    await settle();
    expect(rows.last()).toEqual([
      { key: 'remote', value: { title: 'hello' }, version: 1, pending: false },
    ]);
    expect(changes.calls).toContainEqual({
      cause: 'pull',
      collections: [{ space: 'alice', collection: 'todos' }],
      spaces: 'all',
    });
  });

  it('cancels a sync under way on close, committing nothing after it', async () => {
    const { client, server, store } = setup();
    server.commit('alice', 'todos', 'remote', { title: 'hello' });
    const pull = server.hold('pull');
    const syncing = client.sync();
    await pull.arrived;
    const closed = client.close();
    pull.release();
    await closed;
    await expect(syncing).rejects.toSatisfy(
      (e) => e instanceof FerryNetworkError || e instanceof FerryClosedError,
    );
    expect(await store.getMeta('cursor')).toBeUndefined();
  });
});
