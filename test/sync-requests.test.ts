/**
 * `sync()` joins the run a write started when that run pushes the write and pulls after
 * it, over real HTTP: `put` then `sync()` is one request, not two. It still starts another
 * run for what the one in flight does not carry, and resolves only once the writes made
 * before it were acknowledged and pulled back.
 */
import { createClient, createMemoryStore, type FerryClient } from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

const WRITES = 100;
type Schema = { items: { n: number } };

// One database is enough here: what is counted is the client's requests, not the storage.
const kind = DATABASE_KINDS[0]!;

describe(`sync() after a write, on ${kind.name}`, () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  /** A client whose requests are counted, and whose pushes can be held back. */
  async function counted(user: string) {
    const requests = { push: 0, pull: 0 };
    let gate: Promise<void> | null = null;
    const fetchCounting: typeof fetch = async (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      if (path.endsWith('/v1/push')) {
        requests.push += 1;
        if (gate !== null) await gate;
      }
      if (path.endsWith('/v1/pull')) requests.pull += 1;
      return fetch(input, init);
    };
    const token = await server.token(user, ['shared']);
    const client: FerryClient<Schema> = createClient<Schema>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'shared',
      fetch: fetchCounting,
    });
    await client.sync();
    requests.push = 0;
    requests.pull = 0;
    return {
      client,
      requests,
      /** Holds every push until the returned function is called. */
      holdPushes(): () => void {
        let release = () => {};
        gate = new Promise<void>((resolve) => {
          release = () => {
            gate = null;
            resolve();
          };
        });
        return release;
      },
    };
  }

  it(`put then sync() ${WRITES} times makes one request per write, each acknowledged and pulled back`, async () => {
    const { client, requests } = await counted('loop');
    try {
      const items = client.collection('items');
      for (let n = 0; n < WRITES; n++) {
        await items.put(`k${n}`, { n });
        const result = await client.sync();
        expect(result.pushed).toBe(1);
        // Acknowledged and confirmed by a pull read after it: nothing is left pending.
        expect(client.getStatus().pendingCount).toBe(0);
        expect((await items.query()).every((row) => !row.pending)).toBe(true);
      }
      // Without joining, each sync() started a second run: about 2 requests per write.
      expect(requests.push).toBe(WRITES);
      expect(requests.push + requests.pull).toBeLessThanOrEqual(WRITES + 2);
    } finally {
      await client.close();
    }
  });

  it('a write made after the run in flight took its batch gets a run of its own before sync() resolves', async () => {
    const writer = await counted('late');
    const reader = await counted('reader');
    try {
      const items = writer.client.collection('items');
      const release = writer.holdPushes();
      await items.put('first', { n: 1 });
      // Once the first write's run has sent its push (held here), the next write waits for
      // the next run.
      await vi.waitFor(() => expect(writer.requests.push).toBe(1));
      await items.put('second', { n: 2 });
      const synced = writer.client.sync();
      release();
      await synced;
      expect(writer.client.getStatus().pendingCount).toBe(0);
      expect(writer.requests.push).toBe(2);
      await reader.client.sync();
      expect(await reader.client.collection('items').get('second')).toEqual({ n: 2 });
    } finally {
      await Promise.all([writer.client.close(), reader.client.close()]);
    }
  });

  it('concurrent sync() calls share the run that carries their writes', async () => {
    const { client, requests } = await counted('together');
    try {
      await client.collection('items').put('shared', { n: 1 });
      const results = await Promise.all([client.sync(), client.sync(), client.sync()]);
      expect(results.map((r) => r.pushed)).toEqual([1, 1, 1]);
      expect(requests).toEqual({ push: 1, pull: 0 });
      expect(client.getStatus().pendingCount).toBe(0);
    } finally {
      await client.close();
    }
  });
});
