/**
 * A run that pushes asks for its pull in the last push request (a protocol addition): a
 * server that answers it saves the client a request, and one that does not is pulled from
 * after the push, as before.
 */
import type { PushRequest } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import { createServer, setup } from './support/harness.ts';
import { pushBodies } from './support/requests.ts';

function serverAnsweringPulls() {
  const server = createServer();
  server.answersPullInPush = true;
  return server;
}

describe('the pull a push carries', () => {
  it('is answered with the push: one request pushes and pulls, and confirms the outbox', async () => {
    const server = serverAnsweringPulls();
    server.commit('alice', 'todos', 'other', { title: 'from another device' });
    const { client, store } = setup({}, server);
    await client.collection('todos').put('mine', { title: 'mine' });
    await expect(client.sync()).resolves.toMatchObject({ pushed: 1, pulled: 2 });
    expect(server.requests.map((r) => r.route)).toEqual(['push']);
    expect(pushBodies(server)[0]?.pull).toEqual({ cursor: null, limit: 1000 });
    expect(await client.collection('todos').query()).toMatchObject([
      { key: 'mine', value: { title: 'mine' }, pending: false },
      { key: 'other', value: { title: 'from another device' }, pending: false },
    ]);
    expect(client.getStatus().pendingCount).toBe(0);
    expect(await store.getMeta('cursor')).toBe(String(server.version));
    await client.close();
  });

  it('starts from the cursor the client holds, with its spaces and page size', async () => {
    const server = serverAnsweringPulls();
    const { client, store } = setup({ spaces: ['alice'], pullLimit: 50 }, server);
    await client.sync();
    const cursor = await store.getMeta('cursor');
    await client.collection('todos').put('t1', { title: 'one' });
    await client.sync();
    expect(pushBodies(server).at(-1)?.pull).toEqual({ cursor, limit: 50, spaces: ['alice'] });
    await client.close();
  });

  it('goes with the last batch only, and a page with more to come is followed by pulls', async () => {
    const server = serverAnsweringPulls();
    for (const key of ['a', 'b', 'c']) server.commit('team', 'todos', key, { title: key });
    const { client } = setup({ pushBatchSize: 2, pullLimit: 2 }, server);
    for (let i = 0; i < 5; i++) await client.collection('todos').put(`t${i}`, { title: `${i}` });
    await expect(client.sync()).resolves.toMatchObject({ pushed: 5, pulled: 8 });
    // 8 changes in pages of 2: the first comes with the last push, three more are pulled.
    expect(server.requests.map((r) => r.route)).toEqual([
      'push',
      'push',
      'push',
      'pull',
      'pull',
      'pull',
    ]);
    expect(pushBodies(server).map((b: PushRequest) => b.pull !== undefined)).toEqual([
      false,
      false,
      true,
    ]);
    expect(client.getStatus().pendingCount).toBe(0);
    expect((await client.collection('todos', { space: 'team' }).query()).length).toBe(3);
    await client.close();
  });

  it('left unanswered by an older server, is sent as a pull after the push', async () => {
    const server = createServer();
    const { client } = setup({}, server);
    await client.collection('todos').put('t1', { title: 'one' });
    await expect(client.sync()).resolves.toMatchObject({ pushed: 1, pulled: 1 });
    expect(server.requests.map((r) => r.route)).toEqual(['push', 'pull']);
    expect(client.getStatus().pendingCount).toBe(0);
    await client.close();
  });

  it('rolls a rejection in the same batch back before the page is stored', async () => {
    const server = serverAnsweringPulls();
    server.rejectWhen = (m) => (m.key === 'bad' ? { code: 'invalid', message: 'no' } : undefined);
    const { client } = setup({}, server);
    const rejected: string[] = [];
    client.on('rejected', (event) => rejected.push(event.mutation.key));
    await client.collection('todos').put('good', { title: 'good' });
    await client.collection('todos').put('bad', { title: 'bad' });
    await expect(client.sync()).resolves.toMatchObject({ pushed: 1, rejected: 1 });
    expect(server.requests.map((r) => r.route)).toEqual(['push']);
    expect(rejected).toEqual(['bad']);
    expect((await client.collection('todos').query()).map((r) => r.key)).toEqual(['good']);
    expect(client.getStatus().pendingCount).toBe(0);
    await client.close();
  });
});
