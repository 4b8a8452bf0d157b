/**
 * A status that never says "up to date" when it is not, on a whole client against the fake
 * server, in simulated time: a new device loading, edits made offline, a server that goes
 * silent and comes back, pokes that keep "last synced" moving, and a sync() that settles
 * at once when it cannot run.
 */
import { createSimulation, type Simulation } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { FerryConditionsError, FerryNetworkError } from '../src/errors.ts';
import {
  type ClientOptions,
  createClient,
  type FerryClient,
  type SyncPhase,
  type SyncStatus,
} from '../src/index.ts';
import { heartbeatWindowMs } from '../src/live-timing.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { BASE_URL, type FakeServer } from './support/fake-server.ts';
import { ALICE_TOKEN, createServer, type Schema } from './support/harness.ts';

interface World {
  sim: Simulation;
  server: FakeServer;
  /** While true the server is gone: requests fail and open streams hear nothing. */
  down: { value: boolean };
  client: FerryClient<Schema>;
  statuses: SyncStatus[];
  /** The phases shown so far, repeats left out. */
  phases(): SyncPhase[];
}

function world(options: Partial<ClientOptions> = {}, heartbeatMs = 1_000): World {
  const sim = createSimulation({ latencyMs: 10 });
  const server = createServer();
  server.answersPullInPush = true;
  server.heartbeatMs = heartbeatMs;
  const down = { value: false };
  const reach = sim.fetch(server.fetch);
  const client = createClient<Schema>({
    url: BASE_URL,
    getToken: () => ALICE_TOKEN,
    defaultSpace: 'alice',
    environment: sim.environment,
    fetch: async (input, init) => {
      if (down.value) throw new TypeError('fetch failed: connection refused');
      return reach(input, init);
    },
    store: createMemoryStore(),
    live: true,
    ...options,
  });
  const statuses: SyncStatus[] = [];
  client.subscribeStatus((status) => statuses.push(status));
  const phases = () =>
    statuses.map((s) => s.phase).filter((phase, i, all) => i === 0 || all[i - 1] !== phase);
  return { sim, server, down, client, statuses, phases };
}

/** Moves time as a live server does: a heartbeat every `everyMs`. */
async function advanceWithPings(w: World, ms: number, everyMs = 500): Promise<void> {
  for (let passed = 0; passed < ms; passed += everyMs) {
    if (!w.down.value) w.server.sendRaw(': ping\n\n');
    await w.sim.advance(Math.min(everyMs, ms - passed));
  }
}

/** Runs `sync()` while simulated time moves, as requests take some. */
async function syncNow(w: World): Promise<void> {
  const done = w.client.sync();
  await w.sim.advance(200);
  await done;
}

/** The stream's planned wait, from the status, while it reconnects. */
const retryWait = (w: World) => {
  const at = w.client.getStatus().liveRetryAt;
  return at === null ? null : at - w.sim.now();
};

describe('status of a live client', () => {
  it('a new device is loading until its first pull, then up to date once the stream caught up', async () => {
    const w = world();
    w.server.commit('alice', 'todos', 'remote', { title: 'from the server' });
    expect(w.client.getStatus().phase).toBe('loading');
    await w.sim.advance(1_000);
    expect(w.client.getStatus()).toMatchObject({ phase: 'up-to-date', live: 'open' });
    expect(w.client.getStatus().lastSuccessAt).not.toBeNull();
    // Never "up to date" (nor "stale", "pending") before the data was there.
    const firstSynced = w.statuses.findIndex((s) => s.lastSuccessAt !== null);
    expect(w.statuses.slice(0, firstSynced).every((s) => s.phase === 'loading')).toBe(true);
    expect(w.phases().at(-1)).toBe('up-to-date');
    await w.client.close();
    expect(w.client.getStatus().phase).toBe('stopped');
  });

  it('offline, three unsent edits show as offline with three pending, and sync() is refused at once', async () => {
    const w = world();
    await w.sim.advance(1_000);
    w.sim.goOffline();
    const todos = w.client.collection('todos');
    for (const key of ['a', 'b', 'c']) await todos.put(key, { title: key });
    await w.sim.settle();
    expect(w.client.getStatus()).toMatchObject({
      phase: 'offline',
      state: 'waiting',
      pendingCount: 3,
    });
    expect((await todos.query()).map((row) => row.pending)).toEqual([true, true, true]);

    // Settled without any time passing: no wait for the network.
    const refused = await w.client.sync().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FerryConditionsError);
    expect(refused).toMatchObject({
      code: 'offline',
      userMessage: "You're offline — changes are kept and will be sent when you're back online",
    });

    w.sim.goOnline();
    await w.sim.advance(1_000);
    expect(w.server.recordsOf('alice', 'todos')).toMatchObject({ a: {}, b: {}, c: {} });
    expect(w.client.getStatus()).toMatchObject({ phase: 'up-to-date', pendingCount: 0 });
    await w.client.close();
  });

  it('a server gone silent is noticed within its heartbeat window, and every attempt after stays within 5 s', async () => {
    const w = world({}, 1_000);
    await advanceWithPings(w, 5_000);
    expect(w.client.getStatus().phase).toBe('up-to-date');
    w.down.value = true;
    const downAt = w.sim.now();
    await w.sim.advanceUntil(() => w.client.getStatus().phase !== 'up-to-date', 60_000);
    expect(w.sim.now() - downAt).toBeLessThanOrEqual(heartbeatWindowMs(1_000));
    expect(w.client.getStatus()).toMatchObject({
      phase: 'reconnecting',
      live: 'reconnecting',
      lastError: null,
    });

    // Two minutes of failed attempts: the stream never plans to wait more than 4 s.
    const waits: number[] = [];
    const stop = w.client.subscribeStatus(() => {
      const wait = retryWait(w);
      if (wait !== null) waits.push(wait);
    });
    await w.sim.advance(120_000);
    stop();
    expect(waits.length).toBeGreaterThan(20);
    expect(Math.max(...waits)).toBeLessThanOrEqual(4_000);
    expect(w.client.getStatus().phase).toBe('reconnecting');

    // Back: connected again within one wait, and a write elsewhere arrives.
    w.down.value = false;
    const upAt = w.sim.now();
    await w.sim.advanceUntil(() => w.client.getStatus().live === 'open', 60_000);
    expect(w.sim.now() - upAt).toBeLessThanOrEqual(4_000);
    w.server.commit('alice', 'todos', 'after', { title: 'written after the outage' });
    await w.sim.advance(100);
    expect(await w.client.collection('todos').get('after')).toEqual({
      title: 'written after the outage',
    });
    expect(w.client.getStatus().phase).toBe('up-to-date');
    await w.client.close();
  });

  it('a failed push is retried as soon as the stream reopens, not at the end of its backoff', async () => {
    const w = world({ schedule: { backoffInitialDelayMs: 120_000, backoffMaxDelayMs: 120_000 } });
    await w.sim.advance(1_000);
    w.down.value = true;
    await w.client.collection('todos').put('t1', { title: 'written during the outage' });
    await w.sim.advance(100);
    expect(w.client.getStatus()).toMatchObject({
      phase: 'retrying',
      pendingCount: 1,
      lastError: {
        code: 'unreachable',
        userMessage: "Can't reach the server — changes are kept and will be sent",
      },
    });
    await w.sim.advanceUntil(() => w.client.getStatus().live === 'reconnecting', 60_000);
    w.down.value = false;
    await w.sim.advanceUntil(() => w.client.getStatus().pendingCount === 0, 60_000);
    expect(w.server.recordsOf('alice', 'todos').t1).toEqual({ title: 'written during the outage' });
    expect(w.client.getStatus()).toMatchObject({ lastError: null, state: 'idle' });
    // Well before the two minutes the backoff asked for.
    expect(w.sim.now()).toBeLessThan(w.statuses.find((s) => s.lastError)!.nextRunAt!);
    await w.client.close();
  });

  it('sync() against an unreachable server settles with the unreachable code, and the scheduler retries', async () => {
    const w = world({ live: false });
    await w.sim.advance(1_000);
    w.down.value = true;
    const failed = await w.client.sync().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(FerryNetworkError);
    expect(failed).toMatchObject({ code: 'unreachable' });
    expect(w.client.getStatus()).toMatchObject({
      phase: 'retrying',
      lastError: { code: 'unreachable' },
    });
    expect(w.client.getStatus().nextRunAt).not.toBeNull();
    w.down.value = false;
    await w.sim.advanceUntil(() => w.client.getStatus().lastError === null, 60_000);
    expect(w.client.getStatus().phase).toBe('up-to-date');
    await w.client.close();
  });

  it('a request that reaches the server, or the network coming back, starts the stream over at once', async () => {
    const w = world();
    await w.sim.advance(1_000);
    w.down.value = true;
    w.server.dropStreams();
    await w.sim.advance(30_000);
    expect(w.client.getStatus().live).toBe('reconnecting');
    w.down.value = false;
    const done = w.client.sync();
    await w.sim.advanceUntil(
      () => w.server.countRequests('pull') > 0 && retryWait(w) !== null,
      100,
    );
    await w.sim.advance(20);
    // The sync reached the server: the stream's next attempt is the shortest one.
    expect(retryWait(w)).toBeLessThanOrEqual(500);
    await w.sim.advance(500);
    await done;
    expect(w.client.getStatus().live).toBe('open');

    w.sim.goOffline();
    w.server.dropStreams();
    await w.sim.advance(60_000);
    // Offline, no attempt is planned at all.
    expect(w.client.getStatus()).toMatchObject({ live: 'reconnecting', liveRetryAt: null });
    const attempts = w.server.countRequests('events');
    await w.sim.advance(60_000);
    expect(w.server.countRequests('events')).toBe(attempts);
    w.sim.goOnline();
    await w.sim.settle();
    expect(retryWait(w)).toBeLessThanOrEqual(500);
    await w.sim.advance(500);
    expect(w.client.getStatus().live).toBe('open');
    await w.client.close();
  });

  it('while hidden the stream waits up to 30 s between attempts, and comes back at once when shown', async () => {
    const w = world();
    await w.sim.advance(1_000);
    w.sim.hide();
    w.down.value = true;
    w.server.dropStreams();
    const waits: number[] = [];
    w.client.subscribeStatus(() => {
      const wait = retryWait(w);
      if (wait !== null) waits.push(wait);
    });
    await w.sim.advance(300_000);
    expect(Math.max(...waits)).toBeGreaterThan(4_000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(30_000);
    w.down.value = false;
    w.sim.show();
    await w.sim.settle();
    expect(retryWait(w)).toBeLessThanOrEqual(500);
    await w.client.close();
  });

  it('"last synced" moves with the pokes that keep the data current, with no pull', async () => {
    const w = world();
    await advanceWithPings(w, 1_000);
    const pulls = w.server.countRequests('pull');
    await advanceWithPings(w, 60_000);
    expect(w.client.getStatus().lastSuccessAt).toBeLessThan(w.sim.now() - 59_000);
    w.server.commitInPoke('alice', 'todos', 'poked', { title: 'came in a poke' });
    await w.sim.settle();
    expect(await w.client.collection('todos').get('poked')).toEqual({ title: 'came in a poke' });
    expect(w.client.getStatus()).toMatchObject({
      lastSuccessAt: w.sim.now(),
      phase: 'up-to-date',
    });
    await advanceWithPings(w, 60_000);
    // A poke announcing what the client holds says it is still current.
    w.server.poke();
    await w.sim.settle();
    expect(w.client.getStatus().lastSuccessAt).toBe(w.sim.now());
    expect(w.server.countRequests('pull')).toBe(pulls);
    await w.client.close();
  });
});

describe('status of a client without a live stream', () => {
  it('is up to date after a run, and stale once minIntervalMs has passed without one', async () => {
    const w = world({ live: false, schedule: { triggers: [], minIntervalMs: 60_000 } });
    await w.sim.settle();
    expect(w.client.getStatus().phase).toBe('loading');
    await syncNow(w);
    expect(w.client.getStatus().phase).toBe('up-to-date');
    const syncedAt = w.client.getStatus().lastSuccessAt!;
    await w.sim.advance(syncedAt + 59_999 - w.sim.now());
    expect(w.client.getStatus().phase).toBe('up-to-date');
    await w.sim.advance(1);
    expect(w.client.getStatus().phase).toBe('stale');
    await w.client.close();
  });

  it('shows writes waiting for their quiet period as pending, not up to date', async () => {
    const w = world({ live: false, schedule: { localChangeDelayMs: 5_000 } });
    await w.sim.advance(1_000);
    expect(w.client.getStatus().phase).toBe('up-to-date');
    await w.client.collection('todos').put('t1', { title: 'milk' });
    expect(w.client.getStatus()).toMatchObject({ phase: 'pending', pendingCount: 1 });
    await w.sim.advance(5_100);
    expect(w.client.getStatus()).toMatchObject({ phase: 'up-to-date', pendingCount: 0 });
    await w.client.close();
  });
});
