import { createSimulation } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import {
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTokenError,
} from '../src/index.ts';
import { setup } from './support/harness.ts';
import { pushBodies } from './support/requests.ts';

describe('sync: failures and retries', () => {
  it('after a lost push response, resending yields duplicates and no second effect', async () => {
    const { client, server, store } = setup();
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    await todos.patch('t1', { note: 'oat' });
    server.losePushResponses = 1;

    await expect(client.sync()).rejects.toThrow(FerryNetworkError);
    expect(server.version).toBe(2);
    expect(client.getStatus().state).toBe('backing-off');
    expect(await store.listOutbox()).toHaveLength(2);
    expect(await todos.get('t1')).toEqual({ title: 'milk', note: 'oat' });

    const result = await client.sync();
    expect(result).toMatchObject({ pushed: 2, rejected: 0 });
    expect(server.version).toBe(2);
    expect(pushBodies(server).map((b) => b.mutations.map((m) => m.id))).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'milk', note: 'oat' }, version: 2, pending: false },
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
    const sim = createSimulation();
    const { client, server } = setup({ environment: sim.environment });
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    server.failures.push({ route: 'pull', status: 503, retryAfterSeconds: 5 });

    const error = await client.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryHttpError);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 5 });
    expect(client.getStatus()).toMatchObject({
      state: 'backing-off',
      pendingCount: 1,
      lastError: { code: 'unavailable' },
      nextRunAt: sim.now() + 5_000,
    });
    expect(await todos.query()).toEqual([
      { key: 't1', value: { title: 'milk' }, version: null, pending: true },
    ]);

    // The server's Retry-After holds even a manual sync back; then the retry confirms the write.
    let synced = false;
    const again = client.sync().then(() => {
      synced = true;
    });
    await sim.advance(4_999);
    expect(synced).toBe(false);
    expect(server.countRequests('pull')).toBe(1);
    await sim.advance(1);
    await again;
    expect(server.countRequests('push')).toBe(1);
    expect(await todos.query()).toMatchObject([{ key: 't1', pending: false, version: 1 }]);
    await client.close();
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

  it('reports a getToken that throws as a FerryTokenError whose code the status shows', async () => {
    const failure = new Error('identity server unreachable');
    const { client, server } = setup({
      getToken: () => {
        throw failure;
      },
    });
    const error = await client.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryTokenError);
    expect((error as FerryTokenError).cause).toBe(failure);
    expect(server.requests).toHaveLength(0);
    expect(client.getStatus()).toMatchObject({
      state: 'backing-off',
      lastError: { code: 'token_unavailable' },
    });
    expect(client.getStatus().lastError?.message).toContain('identity server unreachable');
  });
});
