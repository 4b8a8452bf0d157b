/**
 * The engine and its scheduler together, against the fake server, in simulated time:
 * background runs without sync(), the run budget over a long pull, losing the network or
 * the process midway, and the run history in the store.
 */
import { createSimulation, type Simulation } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import {
  type ClientOptions,
  createClient,
  type RunRecord,
  type SyncProgress,
} from '../src/index.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import type { Store } from '../src/store.ts';
import { BASE_URL, type FakeServer } from './support/fake-server.ts';
import { ALICE_TOKEN, createServer, type Schema } from './support/harness.ts';

interface World {
  sim: Simulation;
  server: FakeServer;
  store: Store;
  open(options?: Partial<ClientOptions>): ReturnType<typeof createClient<Schema>>;
}

function world(simOptions: Parameters<typeof createSimulation>[0] = {}): World {
  const sim = createSimulation(simOptions);
  const server = createServer();
  const store = createMemoryStore();
  return {
    sim,
    server,
    store,
    open: (options = {}) =>
      createClient<Schema>({
        url: BASE_URL,
        getToken: () => ALICE_TOKEN,
        defaultSpace: 'alice',
        spaces: ['alice'],
        // Built for the current simulated process: after sim.crash(), open() again.
        environment: sim.environment,
        fetch: sim.fetch(server.fetch),
        store: sim.store(store),
        ...options,
      }),
  };
}

function seed(server: FakeServer, count: number) {
  for (let i = 0; i < count; i++) {
    server.commit('alice', 'todos', `k${String(i).padStart(4, '0')}`, { title: `${i}` });
  }
}

describe('background sync', () => {
  it('syncs on start and pushes a local write after the debounce, without sync()', async () => {
    const { sim, server, open } = world();
    server.commit('alice', 'todos', 'remote', { title: 'from the server' });
    const client = open({ schedule: { localChangeDelayMs: 2_000 } });
    await sim.settle();
    expect(await client.collection('todos').get('remote')).toEqual({ title: 'from the server' });
    await client.collection('todos').put('t1', { title: 'milk' });
    expect(client.getStatus()).toMatchObject({ pendingCount: 1, nextRunAt: sim.now() + 2_000 });
    await sim.advance(1_999);
    expect(server.countRequests('push')).toBe(0);
    await sim.advance(1);
    expect(server.recordsOf('alice', 'todos').t1).toEqual({ title: 'milk' });
    expect(client.getStatus()).toMatchObject({ state: 'idle', pendingCount: 0 });
    const history = await client.history();
    expect(history.map((r) => [r.triggers, r.outcome, r.pushed, r.pulled])).toEqual([
      [['start'], 'success', 0, 1],
      [['local-change'], 'success', 1, 1],
    ]);
    expect(history[1]!.bytesSent).toBeGreaterThan(0);
    expect(history[1]!.bytesReceived).toBeGreaterThan(0);
    await client.close();
  });

  it('cuts a long pull at the budget and continues from the saved cursor, pulling nothing twice', async () => {
    const { sim, server, open } = world({ latencyMs: 1_000 });
    seed(server, 50);
    const client = open({ pullLimit: 10, schedule: { maxRunDurationMs: 2_500 } });
    const progress: SyncProgress[] = [];
    client.on('progress', (p) => progress.push(p));
    await sim.advanceUntil(() => client.getStatus().lastSuccessAt !== null, 60_000);
    const history = await client.history();
    expect(history.map((r) => [r.outcome, r.abortReason, r.pulled])).toEqual([
      ['aborted', 'budget', 20],
      ['aborted', 'budget', 20],
      ['success', null, 10],
    ]);
    const cursors = server.requests
      .filter((r) => r.route === 'pull')
      .map((r) => (r.body as { cursor: string | null }).cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect((await client.collection('todos').query()).length).toBe(50);
    expect(progress.map((p) => [p.runId, p.pulled])).toContainEqual([3, 10]);
    await client.close();
  });

  it('waits offline with the write kept, and pushes it once back online', async () => {
    const { sim, server, open } = world({ online: false });
    const client = open();
    await client.collection('todos').put('t1', { title: 'offline write' });
    await sim.advance(10 * 60_000);
    expect(server.requests).toEqual([]);
    expect(client.getStatus()).toMatchObject({
      state: 'waiting',
      waitingFor: 'network',
      pendingCount: 1,
    });
    sim.goOnline();
    await sim.settle();
    expect(server.recordsOf('alice', 'todos')).toEqual({ t1: { title: 'offline write' } });
    expect((await client.history()).map((r) => r.triggers)).toEqual([
      ['start', 'online', 'local-change'],
    ]);
    await client.close();
  });

  it('a run that loses the network midway resumes from its cursor', async () => {
    const { sim, server, open } = world({ latencyMs: 100 });
    seed(server, 30);
    const client = open({ pullLimit: 10 });
    await sim.advance(150);
    sim.goOffline();
    await sim.settle();
    expect(client.getStatus().state).toBe('waiting');
    const pulledBefore = (await client.collection('todos').query()).length;
    expect(pulledBefore).toBe(10);
    sim.goOnline();
    await sim.advance(1_000);
    expect((await client.collection('todos').query()).length).toBe(30);
    const runs = await client.history();
    expect(runs.map((r) => [r.outcome, r.abortReason, r.pulled])).toEqual([
      ['aborted', 'conditions', 10],
      ['success', null, 20],
    ]);
    await client.close();
  });

  it('after a crash mid-pull, the restarted client marks the run interrupted and finishes', async () => {
    const { sim, server, store, open } = world({ latencyMs: 100 });
    seed(server, 30);
    let client = open({ pullLimit: 10 });
    await sim.advance(150);
    sim.crash();
    expect((await store.listRecords('alice', 'todos')).length).toBe(10);
    client = open({ pullLimit: 10 });
    await sim.advance(1_000);
    expect((await client.collection('todos').query()).length).toBe(30);
    const runs = await client.history();
    expect(runs.map((r) => [r.triggers, r.outcome, r.pulled])).toEqual([
      [['start'], 'interrupted', 0],
      [['start'], 'success', 20],
    ]);
    await client.close();
  });

  it('keeps the history, the attempt count and the backoff in the store across a restart', async () => {
    const { sim, server, open } = world();
    server.failures.push({ route: 'pull', status: 503 });
    let client = open({ schedule: { backoffInitialDelayMs: 60_000 } });
    await sim.settle();
    const { nextRunAt } = client.getStatus();
    expect(client.getStatus()).toMatchObject({ state: 'backing-off', attempt: 1 });
    await client.close();
    client = open({ schedule: { backoffInitialDelayMs: 60_000 } });
    await sim.settle();
    expect(client.getStatus()).toMatchObject({ state: 'backing-off', attempt: 1, nextRunAt });
    const runs: RunRecord[] = [];
    client.on('run', (r) => runs.push(r));
    await sim.advanceUntil(() => runs.length > 0, 60_000);
    expect(sim.now()).toBe(nextRunAt);
    expect(runs.map((r) => [r.id, r.outcome])).toEqual([[2, 'success']]);
    expect((await client.history()).map((r) => r.outcome)).toEqual(['failed', 'success']);
    await client.close();
  });

  it('refreshes a refused token once, and shows a second refusal as an error', async () => {
    const { sim, open } = world();
    const refreshes: boolean[] = [];
    const client = open({
      getToken: ({ refresh }) => {
        refreshes.push(refresh);
        return 'revoked';
      },
    });
    await sim.advance(60 * 60_000);
    expect(refreshes).toEqual([false, true]);
    expect(client.getStatus()).toMatchObject({
      state: 'error',
      lastError: { code: 'unauthorized' },
    });
    await client.close();
  });

  it('reports what the runtime supports', async () => {
    const { sim, open } = world();
    const simulated = open();
    expect(simulated.capabilities().triggers).toMatchObject({ online: true, visible: true });
    const basic = createClient({
      url: BASE_URL,
      store: createMemoryStore(),
      schedule: { triggers: [] },
    });
    expect(basic.capabilities()).toEqual({
      triggers: {
        start: true,
        online: false,
        interval: true,
        visible: false,
        poke: true,
        'local-change': true,
        background: true,
        push: true,
        manual: true,
      },
      constraints: { network: false, unmetered: false, battery: false },
    });
    await Promise.all([simulated.close(), basic.close()]);
    await sim.settle();
  });
});

describe('status before the saved state is loaded', () => {
  it('never shows a known last success as unknown again', async () => {
    const { sim, open } = world();
    let client = open();
    await sim.settle();
    const lastSuccessAt = client.getStatus().lastSuccessAt;
    expect(lastSuccessAt).not.toBeNull();
    await client.close();
    client = open({ live: false });
    const seen: Array<number | null> = [];
    client.subscribeStatus((s) => seen.push(s.lastSuccessAt));
    client.startLive();
    await sim.settle();
    expect(seen.length).toBeGreaterThan(0);
    // Unknown (null) until the store is read; once known, never unknown again.
    const known = seen.indexOf(lastSuccessAt);
    expect(known).toBeGreaterThanOrEqual(0);
    expect(seen.slice(known).every((t) => t === lastSuccessAt)).toBe(true);
    await client.close();
  });
});
