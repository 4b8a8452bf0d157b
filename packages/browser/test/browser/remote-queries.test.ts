/**
 * Queries and bulk writes through `connectFerry` in real Chromium: a connection's find,
 * count, getMany and live queries give the answers the leader's own client gives, over the
 * same IndexedDB store, pending writes included. No server: the engine only works locally.
 */
import { connectFerry } from '@ferry/browser';
import { FerryValidationError, type Query, type Row } from '@ferry/client';
import { afterEach, expect, it } from 'vitest';
import { channelName } from '../../src/channel.ts';
import { type LeaderSession, startLeaderSession } from '../../src/leader-session.ts';

type Todo = { list: string; at: number; title: string };
type Schema = { todos: Todo };

const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
let stores = 0;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A leader session on a fresh store, and a connection to it. */
async function open() {
  const name = `ferry-remote-queries-${run}-${++stores}`;
  const channel = new BroadcastChannel(channelName(name));
  const session: LeaderSession = await startLeaderSession(
    {
      name,
      // Nothing listens there: the engine never reaches a server, and need not.
      url: 'http://127.0.0.1:9/',
      defaultSpace: 'me',
      schedule: { triggers: [] },
      collections: { todos: { indexes: { byList: ['list', 'at'] } } },
    },
    channel,
    'leader',
  );
  cleanups.push(async () => {
    await session.end();
    channel.close();
  });
  const remote = connectFerry<Schema>({ name, defaultSpace: 'me', backgroundSyncTag: false });
  cleanups.push(() => remote.close());
  return {
    leader: session.client.collection('todos') as unknown as ReturnType<
      typeof remote.collection<'todos'>
    >,
    remote: remote.collection('todos'),
  };
}

it('find, count and getMany through a connection answer as on the leader', async () => {
  const { leader, remote } = await open();
  await remote.bulkPut(
    Array.from({ length: 40 }, (_, n) => [
      `t${String(n).padStart(2, '0')}`,
      { list: n % 2 === 0 ? 'a' : 'b', at: n % 10, title: `todo ${n}` },
    ]),
  );
  await remote.bulkDelete(['t00', 't01', 't13']);
  await leader.patch('t02', { list: 'b' });
  await remote.put('new', { list: 'a', at: 4.5, title: 'new' });

  const firstPage = await leader.find({ index: 'byList', where: { list: 'a' }, limit: 4 });
  const queries: Query<Todo>[] = [
    {},
    { order: 'desc', limit: 3 },
    { index: 'byList' },
    { index: 'byList', where: { list: 'a' }, order: 'desc', limit: 5 },
    { index: 'byList', where: { list: 'b' }, range: { gte: 3, lt: 8 } },
    { index: 'byList', where: { list: 'a' }, limit: 4, after: firstPage.at(-1) },
    { index: 'byList', where: { list: 'a' }, filter: (todo) => todo.at % 4 === 0, limit: 3 },
    { index: 'byList', where: { list: 'nothing' } },
  ];
  for (const query of queries) {
    const expected = await leader.find(query);
    expect(await remote.find(query)).toEqual(expected);
    expect(await remote.count(query)).toBe(await leader.count(query));
  }
  const keys = ['t02', 'missing', 'new', 't13', 't39'];
  expect(await remote.getMany(keys)).toEqual(await leader.getMany(keys));

  await expect(remote.find({ index: 'nope' })).rejects.toThrow(FerryValidationError);
  const bad = remote.bulkPut([
    ['ok', { list: 'a', at: 1, title: 'ok' }],
    ['bad', { list: 'a', at: 10n as unknown as number, title: 'bad' }],
  ]);
  // A BigInt crosses the channel, and the leader refuses the whole batch.
  await expect(bad).rejects.toThrow(FerryValidationError);
  expect(await leader.getMany(['ok', 'bad'])).toEqual([undefined, undefined]);
});

it('a live query through a connection follows the leader', async () => {
  const { leader, remote } = await open();
  await remote.bulkPut({
    a: { list: 'x', at: 1, title: 'a' },
    b: { list: 'x', at: 2, title: 'b' },
    c: { list: 'y', at: 3, title: 'c' },
  });
  const query: Query<Todo> = { index: 'byList', where: { list: 'x' }, order: 'desc', limit: 2 };
  const seen: { leader: Row<Todo>[][]; remote: Row<Todo>[][] } = { leader: [], remote: [] };
  const stopLeader = leader.subscribe(query, (rows) => seen.leader.push(rows));
  const stopRemote = remote.subscribe(query, (rows) => seen.remote.push(rows));
  cleanups.push(stopLeader, stopRemote);
  const keys = (rows: Row<Todo>[] | undefined) => rows?.map((row) => row.key).join();
  await until(() => keys(seen.remote.at(-1)) === 'b,a', 'the first window');

  const changes: [string, () => Promise<void>, string][] = [
    ['a write into the window', () => remote.put('d', { list: 'x', at: 5, title: 'd' }), 'd,b'],
    ['the leader moving a row out', () => leader.patch('d', { list: 'y' }), 'b,a'],
    ['a bulk delete', () => remote.bulkDelete(['b']), 'a'],
    [
      'a bulk put',
      () =>
        remote.bulkPut([
          ['e', { list: 'x', at: 0, title: 'e' }],
          ['f', { list: 'x', at: 9, title: 'f' }],
        ]),
      'f,a',
    ],
  ];
  for (const [what, change, window] of changes) {
    await change();
    await until(
      () => keys(seen.remote.at(-1)) === window && keys(seen.leader.at(-1)) === window,
      what,
    );
    expect(seen.remote.at(-1)).toEqual(seen.leader.at(-1));
    expect(seen.remote.at(-1)).toEqual(await leader.find(query));
  }
});
