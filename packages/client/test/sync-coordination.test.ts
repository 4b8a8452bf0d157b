import { describe, expect, it } from 'vitest';
import {
  FerryClosedError,
  FerryHttpError,
  FerryNetworkError,
  type Row,
  type SyncStatus,
} from '../src/index.ts';
import {
  ALICE_TOKEN,
  createServer,
  recorder,
  settle,
  setup,
  type Todo,
} from './support/harness.ts';

describe('sync: one at a time, auth, status, close', () => {
  it('shares one run between sync() calls made before it starts, and one follow-up after', async () => {
    const { client, server } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    const push = server.hold('push');
    const a = client.sync();
    const b = client.sync();
    await push.arrived;
    // A write made while the run is under way is not in its push, so a follow-up runs.
    await client.collection('todos').put('t2', { title: 'bread' });
    const c = client.sync();
    const d = client.sync();
    push.release();
    const [ra, rb, rc, rd] = await Promise.all([a, b, c, d]);
    expect(rb).toEqual(ra);
    expect(rd).toEqual(rc);
    expect([ra.pushed, rc.pushed]).toEqual([1, 1]);
    expect(server.countRequests('push')).toBe(2);
    expect(server.countRequests('pull')).toBe(2);
    const history = await client.history();
    expect(history.map((run) => [run.triggers, run.outcome])).toEqual([
      [['manual'], 'success'],
      [['manual'], 'success'],
    ]);
  });

  it('a sync() made while the run in flight pushes every write joins it, and resolves after its pull', async () => {
    const { client, server } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    const push = server.hold('push');
    const a = client.sync();
    await push.arrived;
    // The run holds t1, the only write: it pushes it and pulls after, as this sync() needs.
    const b = client.sync();
    push.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(rb).toEqual(ra);
    expect(server.countRequests('push')).toBe(1);
    expect(server.countRequests('pull')).toBe(1);
    expect(client.getStatus().pendingCount).toBe(0);
    expect((await client.history()).map((run) => run.triggers)).toEqual([['manual']]);
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

  it('publishes status changes: syncing, then idle or backing-off', async () => {
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
      ['backing-off', 0],
    ]);
    expect(statuses.last()?.lastError?.message).toContain('HTTP 500');
    expect(statuses.last()?.lastSuccessAt).toBe(42);
    expect(events.calls).toEqual(statuses.calls);
    await client.close();
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
    const { client, server, store, restart } = setup();
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
    expect(client.getStatus()).toMatchObject({ state: 'stopped', lastError: null });
    // The store keeps the run, aborted: the next client on it reads it.
    const reopened = restart();
    expect((await reopened.history()).map((run) => [run.outcome, run.abortReason])).toEqual([
      ['aborted', 'closed'],
    ]);
    await reopened.close();
  });
});
