/**
 * A poke whose changes the client already holds starts no run: above all the poke of its
 * own push, whose commit came back in the same request. A poke of anything the client may
 * not hold still pulls, and so does the first poke of every connection of the stream.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../src/events.ts';
import type { ClientOptions } from '../src/index.ts';
import { createServer, settle, setup } from './support/harness.ts';
import { createManualTimers } from './support/manual-timers.ts';

/** A live client that writes with the default triggers' local-change, and has pulled once. */
async function liveWriter(overrides: Partial<ClientOptions> = {}, answersPullInPush = true) {
  const server = createServer();
  server.answersPullInPush = answersPullInPush;
  const timers = createManualTimers();
  const harness = setup(
    {
      live: true,
      random: () => 0.5,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      schedule: { triggers: ['poke', 'local-change'] },
      ...overrides,
    },
    server,
  );
  const runs: string[][] = [];
  harness.client.on('run', (run) => runs.push([...run.triggers]));
  await settle();
  expect(server.countRequests('pull')).toBe(1);
  server.requests.length = 0;
  runs.length = 0;
  return { ...harness, timers, runs };
}

describe('pokes the client already holds', () => {
  it('the poke of its own push starts no run: each write is one request', async () => {
    const { client, server, runs } = await liveWriter();
    for (let i = 0; i < 3; i++) {
      // The server pokes while the push is under way, before it answers.
      await client.collection('todos').put(`t${i}`, { title: `${i}` });
      await settle();
    }
    expect(server.requests.map((r) => r.route)).toEqual(['push', 'push', 'push']);
    expect(runs).toEqual([['local-change'], ['local-change'], ['local-change']]);
    expect(client.getStatus()).toMatchObject({ state: 'idle', pendingCount: 0 });
    await client.close();
  });

  it("a poke of another's commit that the run did not bring still pulls", async () => {
    const { client, server, runs } = await liveWriter();
    const push = server.holdAnswer('push');
    await client.collection('todos').put('mine', { title: 'mine' });
    await push.arrived;
    // Committed after the push's pull was read: its poke comes while the run is under way.
    server.commit('alice', 'todos', 'theirs', { title: 'theirs' });
    push.release();
    await settle();
    expect(server.requests.map((r) => r.route)).toEqual(['push', 'pull']);
    expect(runs).toEqual([['local-change'], ['poke']]);
    expect(await client.collection('todos').get('theirs')).toEqual({ title: 'theirs' });
    await client.close();
  });

  it('against an older server the writer pulls after pushing, and its own poke adds nothing', async () => {
    const { client, server, runs } = await liveWriter({}, false);
    await client.collection('todos').put('t1', { title: 'one' });
    await settle();
    expect(server.requests.map((r) => r.route)).toEqual(['push', 'pull']);
    expect(runs).toEqual([['local-change']]);
    await client.close();
  });

  it('a plain poke the cursor covers starts no run; the first poke of each connection pulls', async () => {
    const { client, server, timers } = await liveWriter();
    server.commit('alice', 'todos', 't1', { title: 'one' });
    await settle();
    expect(server.countRequests('pull')).toBe(1);
    server.poke(); // the same version again
    await settle();
    expect(server.countRequests('pull')).toBe(1);

    // A new connection's first poke announces nothing new, and still pulls, as before:
    // the stream may now serve spaces the cursor was not issued for.
    server.dropStreams();
    await settle();
    const retry = timers.pendingDelays().find((d) => d !== DEFAULT_IDLE_TIMEOUT_MS)!;
    await timers.advance(retry);
    expect(client.getStatus().live).toBe('open');
    expect(server.countRequests('pull')).toBe(2);
    server.poke();
    await settle();
    expect(server.countRequests('pull')).toBe(2);
    await client.close();
  });

  it('a poke whose data says no version pulls', async () => {
    const { client, server } = await liveWriter();
    server.sendRaw('event: poke\ndata: {}\n\n');
    await settle();
    expect(server.countRequests('pull')).toBe(1);
    await client.close();
  });
});
