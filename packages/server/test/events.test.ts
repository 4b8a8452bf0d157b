import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { SseReader } from './support/sse.ts';

describe.each(DATABASE_KINDS)('event streams on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    // A short heartbeat so the test sees pings; real timers, since the stream is real.
    server = await startServer(kind, { heartbeatMs: 100 });
  });
  afterAll(() => server.stop());

  const write = (token: string, clientId: string, space: string, id: number) =>
    server.post(
      '/v1/push',
      {
        clientId,
        mutations: [{ id, space, collection: 'c', key: `k${id}`, op: 'put', value: { id } }],
      },
      token,
    );

  it('pokes after commits in the user’s spaces only, and pings while idle', async () => {
    const alice = await server.token('alice', ['alice', 'team']);
    const bob = await server.token('bob', ['bob', 'team']);
    const carol = await server.token('carol');
    const response = await fetch(`${server.url}/v1/events`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Served on Node, the stream writes Node's response itself, and still names its request.
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const stream = new SseReader(response);
    // One poke at once, so a reconnecting client catches up.
    await stream.until(() => stream.pokes.length === 1);

    const carolWrite = await write(carol, 'carol-1', 'carol', 1);
    expect(carolWrite.status).toBe(200);
    const bobWrite = await write(bob, 'bob-1', 'team', 1);
    await stream.until(() => stream.pokes.length === 2);
    expect(stream.pokes[1]).toBe(bobWrite.body.results[0].version);
    await stream.until(() => stream.records.some((r) => r.comment === 'ping'));
    // Carol's write, in a space Alice cannot read, never poked her.
    expect(stream.pokes).toHaveLength(2);
    await stream.close();
  });

  it('accepts the token as a query parameter and narrows to requested spaces', async () => {
    const alice = await server.token('alice', ['alice', 'team']);
    const response = await fetch(`${server.url}/v1/events?access_token=${alice}&spaces=alice`);
    expect(response.status).toBe(200);
    const stream = new SseReader(response);
    await stream.until(() => stream.pokes.length === 1);
    await write(alice, 'alice-team', 'team', 1);
    const own = await write(alice, 'alice-own', 'alice', 1);
    await stream.until(() => stream.pokes.length === 2);
    expect(stream.pokes[1]).toBe(own.body.results[0].version);
    await stream.close();
  });

  it('needs a valid token', async () => {
    const missing = await fetch(`${server.url}/v1/events`);
    expect(missing.status).toBe(401);
    const forged = await fetch(`${server.url}/v1/events?access_token=abc.def.ghi`);
    expect(forged.status).toBe(401);
  });

  it('closing the server ends open streams and a closed stream is forgotten', async () => {
    const own = await startServer(kind);
    const token = await own.token('dave');
    const open = async () => {
      const response = await fetch(`${own.url}/v1/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const stream = new SseReader(response);
      await stream.until(() => stream.pokes.length === 1);
      return stream;
    };
    const metrics = async () => (await fetch(`${own.url}/metrics`)).text();
    const leaving = await open();
    const stream = await open();
    expect(await metrics()).toMatch(/ferry_event_streams 2/);
    await leaving.close();
    await expect.poll(metrics).toMatch(/ferry_event_streams 1/);
    await own.stop();
    await stream.closed;
  });
});
