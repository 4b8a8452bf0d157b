import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../src/events.ts';
import { type ClientOptions, type Row, SCHEDULE_DEFAULTS, type SyncStatus } from '../src/index.ts';
import {
  ALICE_TOKEN,
  createServer,
  recorder,
  settle,
  setup,
  type Todo,
} from './support/harness.ts';
import { createManualTimers } from './support/manual-timers.ts';

/** With random() = 0.5, attempt n waits 3/4 of min(30 s, 500 ms × 2^n). */
const FIRST_RETRY_MS = 375;

function liveSetup(overrides: Partial<ClientOptions> = {}, server = createServer()) {
  const timers = createManualTimers();
  const harness = setup(
    {
      live: true,
      random: () => 0.5,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      ...overrides,
    },
    server,
  );
  /** Pending delays other than the idle watchdog's and the status's staleness. */
  const retryDelays = () =>
    timers
      .pendingDelays()
      .filter((d) => d !== DEFAULT_IDLE_TIMEOUT_MS && d !== SCHEDULE_DEFAULTS.minIntervalMs);
  return { ...harness, timers, retryDelays };
}

describe('live event stream', () => {
  it('opens at creation with live: true, sends the token, and syncs on the first poke', async () => {
    const { client, server } = liveSetup();
    await settle();
    expect(client.getStatus().live).toBe('open');
    expect(server.openStreams).toBe(1);
    const events = server.requests.find((r) => r.route === 'events');
    expect(events?.authorization).toBe(`Bearer ${ALICE_TOKEN}`);
    expect(server.countRequests('pull')).toBe(1);
    await client.close();
  });

  it('stays off until startLive() when live is not set', async () => {
    const { client, server } = liveSetup({ live: false });
    await settle();
    expect(client.getStatus().live).toBe('off');
    expect(server.requests).toEqual([]);
    client.startLive();
    await settle();
    expect(client.getStatus().live).toBe('open');
    await client.close();
  });

  it('pulls a change committed elsewhere as soon as the server pokes', async () => {
    const { client, server } = liveSetup();
    const rows = recorder<Row<Todo>[]>();
    client.collection('todos').subscribe(rows.listener);
    await settle();
    server.commit('alice', 'todos', 'remote', { title: 'from another device' });
    await settle();
    expect(rows.last()?.map((r) => r.value)).toEqual([{ title: 'from another device' }]);
    await client.close();
  });

  it('folds pokes that arrive during a sync into one follow-up sync', async () => {
    const server = createServer();
    const pull = server.hold('pull');
    const { client } = liveSetup({}, server);
    await pull.arrived;
    server.poke();
    server.poke();
    server.poke();
    await settle();
    expect(server.countRequests('pull')).toBe(1);
    pull.release();
    await settle();
    expect(server.countRequests('pull')).toBe(2);
    await client.close();
  });

  it('reconnects after the server drops the stream, and catches up', async () => {
    const { client, server, timers, retryDelays } = liveSetup();
    await settle();
    server.dropStreams();
    server.commit('alice', 'todos', 'missed', { title: 'while disconnected' });
    await settle();
    expect(client.getStatus()).toMatchObject({
      live: 'reconnecting',
      liveRetryAt: expect.any(Number),
      phase: 'reconnecting',
    });
    expect(retryDelays()).toEqual([FIRST_RETRY_MS]);
    await timers.advance(FIRST_RETRY_MS);
    expect(client.getStatus().live).toBe('open');
    expect(server.openStreams).toBe(1);
    expect(await client.collection('todos').get('missed')).toEqual({ title: 'while disconnected' });
    await client.close();
  });

  it('backs off exponentially while connecting fails, and starts over after a success', async () => {
    const server = createServer();
    for (let i = 0; i < 3; i++) server.failures.push({ route: 'events', status: 503 });
    const { client, timers, retryDelays } = liveSetup({}, server);
    const seen: number[][] = [];
    await settle();
    for (let i = 0; i < 3; i++) {
      seen.push(retryDelays());
      await timers.advance(retryDelays()[0] ?? 0);
    }
    expect(seen).toEqual([[375], [750], [1500]]);
    expect(client.getStatus().live).toBe('open');
    server.dropStreams();
    await settle();
    expect(retryDelays()).toEqual([FIRST_RETRY_MS]);
    await client.close();
  });

  it('waits at least as long as Retry-After asks', async () => {
    const server = createServer();
    server.failures.push({
      route: 'events',
      status: 429,
      code: 'rate_limited',
      retryAfterSeconds: 10,
    });
    const { client, retryDelays } = liveSetup({}, server);
    // The refusal comes back through a response body: a busy machine may take more turns.
    await vi.waitFor(() => expect(retryDelays()).toHaveLength(1));
    expect(retryDelays()).toEqual([10_000]);
    await client.close();
  });

  it('refreshes a refused token once before giving up on a connection attempt', async () => {
    const calls: boolean[] = [];
    let token = 'expired';
    const { client, server } = liveSetup({
      getToken: ({ refresh }) => {
        calls.push(refresh);
        if (refresh) token = ALICE_TOKEN;
        return token;
      },
    });
    await settle();
    expect(client.getStatus().live).toBe('open');
    expect(calls.slice(0, 2)).toEqual([false, true]);
    expect(calls.filter((refresh) => refresh)).toHaveLength(1);
    expect(server.requests.filter((r) => r.route === 'events').map((r) => r.authorization)).toEqual(
      ['Bearer expired', `Bearer ${ALICE_TOKEN}`],
    );
    await client.close();
  });

  it('reconnects when the stream goes quiet, and pings keep it alive', async () => {
    const { client, server, timers } = liveSetup();
    await settle();
    await timers.advance(DEFAULT_IDLE_TIMEOUT_MS - 1000);
    server.sendRaw(': ping\n\n');
    await settle();
    await timers.advance(DEFAULT_IDLE_TIMEOUT_MS - 1000);
    expect(client.getStatus().live).toBe('open');
    expect(server.countRequests('events')).toBe(1);
    await timers.advance(1000);
    expect(client.getStatus().live).toBe('reconnecting');
    expect(server.openStreams).toBe(0);
    await timers.advance(FIRST_RETRY_MS);
    expect(client.getStatus().live).toBe('open');
    expect(server.countRequests('events')).toBe(2);
    await client.close();
  });

  it('backs off when the answer is not an event stream', async () => {
    const server = createServer();
    const fetchHtml: typeof fetch = async (input, init) =>
      String(input).includes('/v1/events')
        ? new Response('<html></html>', { headers: { 'content-type': 'text/html' } })
        : server.fetch(input, init);
    const { client, retryDelays } = liveSetup({ fetch: fetchHtml }, server);
    await settle();
    expect(client.getStatus().live).toBe('reconnecting');
    expect(retryDelays()).toEqual([FIRST_RETRY_MS]);
    await client.close();
  });

  it('stopLive closes the stream and leaves no timer behind, even during a backoff wait', async () => {
    const { client, server, timers, retryDelays } = liveSetup();
    await settle();
    await client.stopLive();
    expect(client.getStatus().live).toBe('off');
    expect(server.openStreams).toBe(0);
    expect(retryDelays()).toEqual([]);

    server.failures.push({ route: 'events', status: 503 });
    client.startLive();
    await settle();
    expect(retryDelays()).toEqual([FIRST_RETRY_MS]);
    await client.stopLive();
    expect(retryDelays()).toEqual([]);
    await timers.advance(60_000);
    expect(server.countRequests('events')).toBe(2);
    expect(client.getStatus().live).toBe('off');
    await client.close();
  });

  it('close() stops the stream', async () => {
    const { client, server } = liveSetup();
    await settle();
    await client.close();
    expect(server.openStreams).toBe(0);
    expect(client.getStatus().live).toBe('off');
  });

  it('on reauthenticate asks for a fresh token and reconnects from its cursor, with no fault shown', async () => {
    const refreshes: boolean[] = [];
    const { client, server, timers, retryDelays } = liveSetup({
      getToken: ({ refresh }) => {
        refreshes.push(refresh);
        return ALICE_TOKEN;
      },
    });
    const states: SyncStatus[] = [];
    client.subscribeStatus((status) => states.push(status));
    await settle();
    expect(client.getStatus().live).toBe('open');
    const pullsBefore = server.countRequests('pull');
    const eventsBefore = server.countRequests('events');
    expect(refreshes.filter((refresh) => refresh)).toEqual([]);
    const callsBefore = refreshes.length;

    server.sendRaw('event: reauthenticate\ndata: {"reason":"token_expired"}\n\n');
    await settle();
    // The client left the stream itself, and waits its usual short pause.
    expect(server.openStreams).toBe(0);
    expect(client.getStatus().live).toBe('connecting');
    expect(retryDelays()).toEqual([FIRST_RETRY_MS]);
    server.commit('alice', 'todos', 'meanwhile', { title: 'while reconnecting' });
    await settle();

    await timers.advance(FIRST_RETRY_MS);
    expect(client.getStatus().live).toBe('open');
    expect(server.countRequests('events')).toBe(eventsBefore + 1);
    // The reconnect asked for a fresh token, once, before sending anything.
    expect(refreshes[callsBefore]).toBe(true);
    expect(refreshes.filter((refresh) => refresh)).toEqual([true]);
    expect(await client.collection('todos').get('meanwhile')).toEqual({
      title: 'while reconnecting',
    });
    // From the cursor it had: no pull started over.
    const pulls = server.requests.filter((r) => r.route === 'pull').slice(pullsBefore);
    expect(pulls.length).toBeGreaterThan(0);
    for (const pull of pulls) expect((pull.body as { cursor: unknown }).cursor).not.toBeNull();
    expect(states.every((status) => status.state !== 'error' && status.lastError === null)).toBe(
      true,
    );
    await client.close();
  });

  it('narrows the stream to the spaces option', async () => {
    const urls: string[] = [];
    const server = createServer();
    const { client } = liveSetup(
      {
        spaces: ['alice', 'team'],
        fetch: (input, init) => {
          urls.push(String(input));
          return server.fetch(input, init);
        },
      },
      server,
    );
    await settle();
    const events = urls.find((u) => u.includes('/v1/events'));
    expect(new URL(events ?? '').searchParams.get('spaces')).toBe('alice,team');
    await client.close();
  });
});
