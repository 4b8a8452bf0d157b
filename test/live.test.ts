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
});
