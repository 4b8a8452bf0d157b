/**
 * A client that names its spaces pulls once at start: the start run's pull and the live
 * stream open together, and the stream's opening poke, arriving while that pull is under
 * way, announces a version the pull reaches. The data is then current, with no second
 * pull. A client that names no spaces still pulls again, as the stream may serve other
 * spaces than its cursor.
 */
import { describe, expect, it } from 'vitest';
import { createServer, settle, setup } from './support/harness.ts';

async function startWithPullHeld(spaces: string[] | undefined) {
  const server = createServer();
  server.commit('alice', 'todos', 'there', { title: 'already there' });
  // The stream connects once the start run's pull is on its way, as in a browser.
  const events = server.hold('events');
  const pull = server.holdAnswer('pull');
  const { client } = setup(
    { live: true, schedule: { triggers: ['start', 'poke'] }, ...(spaces ? { spaces } : {}) },
    server,
  );
  await pull.arrived;
  events.release();
  await settle();
  // The stream opened and poked while the pull was on its way back.
  expect(server.openStreams).toBe(1);
  pull.release();
  await settle(50);
  return { client, server };
}

describe('starting a live client', () => {
  it('that names its spaces pulls once, and its data is current', async () => {
    const { client, server } = await startWithPullHeld(['alice', 'team']);
    expect(server.countRequests('pull')).toBe(1);
    expect(client.getStatus()).toMatchObject({ live: 'open', phase: 'up-to-date' });
    expect(await client.collection('todos').get('there')).toEqual({ title: 'already there' });
    // A commit afterwards still reaches it through the stream.
    server.commit('alice', 'todos', 'later', { title: 'later' });
    await settle();
    expect(await client.collection('todos').get('later')).toEqual({ title: 'later' });
    await client.close();
  });

  it('that names no spaces pulls again after the opening poke', async () => {
    const { client, server } = await startWithPullHeld(undefined);
    expect(server.countRequests('pull')).toBe(2);
    expect(client.getStatus()).toMatchObject({ live: 'open', phase: 'up-to-date' });
    await client.close();
  });
});
