import { describe, expect, it } from 'vitest';
import { createMemoryStore, FerryNetworkError, type Row, type SyncProgress } from '../src/index.ts';
import { estimateRemaining } from '../src/pull.ts';
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

  it("reports each page's progress with the server's estimate of what remains, and the total it makes", async () => {
    const { client, server } = setup({ pullLimit: 2 });
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      server.commit('alice', 'todos', key, { title: key });
    const progress = recorder<SyncProgress>();
    client.on('progress', progress.listener);
    await client.sync();
    expect(progress.calls.map((p) => [p.phase, p.pulled, p.remaining, p.total])).toEqual([
      ['pull', 2, 3, 5],
      ['pull', 4, 1, 5],
      ['pull', 5, 0, 5],
    ]);
  });

  it('leaves remaining and total undefined while a server that does not estimate has more', async () => {
    const { client, server } = setup({ pullLimit: 2 });
    server.sendRemaining = false;
    for (const key of ['a', 'b', 'c']) server.commit('alice', 'todos', key, { title: key });
    const progress = recorder<SyncProgress>();
    client.on('progress', progress.listener);
    await client.sync();
    expect(progress.calls.map((p) => [p.pulled, p.remaining, p.total])).toEqual([
      [2, undefined, undefined],
      [3, 0, 3],
    ]);
  });

  it('keeps a first count going down while later pages count only a few pages ahead', () => {
    const page = (remaining: number | undefined, hasMore = true) => ({
      hasMore,
      changes: new Array(100),
      ...(remaining === undefined ? {} : { remaining }),
    });
    // The snapshot's first page counted 5,000; later pages are capped at 1,000.
    expect(estimateRemaining(undefined, page(5_000), true)).toBe(5_000);
    expect(estimateRemaining(5_000, page(1_000), false)).toBe(4_900);
    // Near the end the server's own count is the larger, and the truer.
    expect(estimateRemaining(150, page(400), false)).toBe(400);
    // An older server says nothing: the carried count still goes down.
    expect(estimateRemaining(4_900, page(undefined), false)).toBe(4_800);
    // A new snapshot forgets the old count; the last page leaves nothing.
    expect(estimateRemaining(4_900, page(700), true)).toBe(700);
    expect(estimateRemaining(4_900, page(undefined, false), false)).toBe(0);
  });

  it('asks for the next page while the current one is stored, one request at a time', async () => {
    const server = createServer();
    const events: string[] = [];
    let inFlight = 0;
    let overlapped = false;
    const watched: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/v1/pull')) events.push('request');
      overlapped ||= ++inFlight > 1;
      try {
        return await server.fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const store = createMemoryStore();
    const commit = store.commit.bind(store);
    store.commit = async (batch) => {
      if (batch.setMeta?.cursor === undefined) return commit(batch);
      events.push('commit start');
      // Slow enough for the next page's request to be sent and answered meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await commit(batch);
      events.push('commit end');
    };
    const { client } = setup({ pullLimit: 2, fetch: watched, store }, server);
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      server.commit('alice', 'todos', key, { title: key });
    expect((await client.sync()).pulled).toBe(5);
    const nth = (event: string, n: number) =>
      events.flatMap((e, i) => (e === event ? [i] : []))[n]!;
    expect(events.filter((e) => e === 'request')).toHaveLength(3);
    // Pages 2 and 3 were asked for before pages 1 and 2 were stored.
    expect(nth('request', 1)).toBeLessThan(nth('commit end', 0));
    expect(nth('request', 2)).toBeLessThan(nth('commit end', 1));
    expect(overlapped).toBe(false);
    expect(pullBodies(server).map((b) => b.cursor)).toEqual([null, '2', '4']);
    expect((await store.listRecords('alice', 'todos')).map((r) => r.key)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
  });

  it('when a page cannot be stored, ends the sync only after the next request is over', async () => {
    const server = createServer();
    let pulls = 0;
    let answered = 0;
    const counting: typeof fetch = async (input, init) => {
      const isPull = String(input).endsWith('/v1/pull');
      if (isPull) pulls += 1;
      const response = await server.fetch(input, init);
      if (isPull) answered += 1;
      return response;
    };
    const store = createMemoryStore();
    const commit = store.commit.bind(store);
    let commits = 0;
    store.commit = async (batch) => {
      if (batch.putRecords?.length && ++commits === 2) throw new Error('disk full');
      await commit(batch);
    };
    const { client } = setup({ pullLimit: 2, fetch: counting, store }, server);
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      server.commit('alice', 'todos', key, { title: key });
    await expect(client.sync()).rejects.toThrow('disk full');
    // The third page was asked for while the second was being stored; it was answered
    // before the sync gave up, and nothing of it was stored.
    expect(pulls).toBe(3);
    expect(answered).toBe(3);
    expect(await store.getMeta('cursor')).toBe('2');
    expect((await store.listRecords('alice', 'todos')).map((r) => r.key)).toEqual(['a', 'b']);
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
