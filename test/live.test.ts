/** A client with the live stream open is poked by the server and converges without being asked to sync. */
import { createClient, createMemoryStore, type Row } from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

type Note = { text: string };

describe.each(DATABASE_KINDS)('live sync on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('a write on one device appears on another through a poke, both ways', async () => {
    const aliceToken = await server.token('alice', ['alice', 'shared']);
    const bobToken = await server.token('bob', ['bob', 'shared']);
    const open = (token: string) =>
      createClient<{ notes: Note }>({
        url: server.url,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'shared',
        live: true,
      });
    const alice = open(aliceToken);
    const bob = open(bobToken);
    try {
      const seenByBob: Row<Note>[][] = [];
      bob.collection('notes').subscribe((rows) => seenByBob.push(rows));
      await expect.poll(() => bob.getStatus().live, { timeout: 10_000 }).toBe('open');
      await expect.poll(() => alice.getStatus().live, { timeout: 10_000 }).toBe('open');

      await alice.collection('notes').put('n1', { text: 'from alice' });
      await alice.sync();
      await expect
        .poll(() => seenByBob.at(-1)?.map((r) => r.value.text), { timeout: 10_000 })
        .toEqual(['from alice']);

      await bob.collection('notes').patch('n1', { text: 'bob was here' });
      await bob.sync();
      await expect
        .poll(() => alice.collection('notes').get('n1'), { timeout: 10_000 })
        .toEqual({ text: 'bob was here' });
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it('a small commit reaches a live client in its poke, with no pull; a large one is pulled', async () => {
    const aliceToken = await server.token('alice', ['alice', 'room']);
    const bobToken = await server.token('bob', ['bob', 'room']);
    let bobPulls = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input).endsWith('/v1/pull')) bobPulls += 1;
      return fetch(input, init);
    };
    const alice = createClient<{ notes: Note }>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => aliceToken,
      defaultSpace: 'room',
    });
    const bob = createClient<{ notes: Note }>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => bobToken,
      defaultSpace: 'room',
      live: true,
      fetch: countingFetch,
    });
    try {
      const seenByBob: Row<Note>[][] = [];
      bob.collection('notes').subscribe((rows) => seenByBob.push(rows));
      await expect.poll(() => bob.getStatus().live, { timeout: 10_000 }).toBe('open');
      await expect.poll(() => bob.getStatus().lastSuccessAt, { timeout: 10_000 }).not.toBeNull();
      await expect.poll(() => bob.getStatus().state, { timeout: 10_000 }).toBe('idle');
      const pullsBefore = bobPulls;

      for (const text of ['one', 'two', 'three']) {
        await alice.collection('notes').put(text, { text });
        await alice.sync();
        await expect
          .poll(() => seenByBob.at(-1)?.some((r) => r.value.text === text), { timeout: 10_000 })
          .toBe(true);
      }
      expect(bobPulls).toBe(pullsBefore);

      const many = Array.from({ length: 150 }, (_, i) => `bulk-${i}`);
      for (const key of many) await alice.collection('notes').put(key, { text: key });
      await alice.sync();
      await expect.poll(() => seenByBob.at(-1)?.length, { timeout: 10_000 }).toBe(153);
      expect(bobPulls).toBeGreaterThan(pullsBefore);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });
});
