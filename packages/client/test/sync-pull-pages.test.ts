import { describe, expect, it } from 'vitest';
import { FerryNetworkError, type Row } from '../src/index.ts';
import { createServer, recorder, settle, setup, type Todo } from './support/harness.ts';
import { pullBodies } from './support/requests.ts';

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

  it('tells subscribers when a reset removes records', async () => {
    const { client, server, store } = setup();
    await client.sync();
    await store.commit({
      putRecords: [
        { space: 'alice', collection: 'todos', key: 'stale', value: { title: 'x' }, version: 9 },
      ],
    });
    const rows = recorder<Row<Todo>[]>();
    client.collection('todos').subscribe(rows.listener);
    await settle();
    expect(rows.last()?.map((r) => r.key)).toEqual(['stale']);
    server.resetNextPull = true;
    await client.sync();
    await settle();
    expect(rows.last()).toEqual([]);
  });
});
