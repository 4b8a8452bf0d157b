/**
 * PostgreSQL crashing and restarting under load: clients get 503 with Retry-After while it
 * is down, nothing acknowledged is lost, nothing is applied twice, readiness comes back by
 * itself, and every client converges.
 */
import { createClient, createMemoryStore, type RejectionEvent } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { createFerryServer, createLogger, createPostgresDatabase, listen } from '../src/index.ts';
import { privatePostgresAvailable, startPrivatePostgres } from './support/private-postgres.ts';
import { TEST_SECRET } from './support/server.ts';
import { syncUntilDone } from './support/sync-until-done.ts';

const available = privatePostgresAvailable() ? ['a private PostgreSQL'] : [];
if (available.length === 0)
  console.warn('PostgreSQL binaries are not available: the database restart test does not run');

describe.each(available)('database restart on %s', () => {
  it('loses nothing acknowledged and recovers by itself', { timeout: 120_000 }, async () => {
    const postgres = startPrivatePostgres();
    const database = createPostgresDatabase({
      connectionString: postgres.url,
      connectTimeoutMs: 1000,
    });
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      logger: createLogger('silent'),
    });
    const http = await listen(ferry);
    const rejections: RejectionEvent[] = [];
    const statuses = new Set<number>();
    const clients = await Promise.all(
      [0, 1, 2].map(async (c) => {
        const token = await ferry.signToken({ userId: `u${c}`, spaces: [`u${c}`, 'shared'] }, 600);
        const client = createClient<{ items: { c: number } }>({
          url: http.url,
          store: createMemoryStore(),
          getToken: () => token,
          defaultSpace: 'shared',
          fetch: async (input, init) => {
            const response = await fetch(input, init);
            statuses.add(response.status);
            return response;
          },
        });
        client.on('rejected', (r) => rejections.push(r));
        return client;
      }),
    );
    try {
      const writing = clients.map(async (client, c) => {
        for (let i = 0; i < 120; i++) {
          await client.collection('items').put(`c${c}-${i}`, { c }, { ifVersion: 0 });
          if (i % 8 === 7) await client.sync().catch(() => {});
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      await postgres.crashAndRestart(1500);
      await Promise.all(writing);
      await expect
        .poll(async () => (await fetch(`${http.url}/readyz`)).status, { timeout: 30_000 })
        .toBe(200);
      for (const client of clients) await syncUntilDone(client);
      for (const client of clients) await syncUntilDone(client);

      expect(statuses.has(503)).toBe(true);
      expect(rejections).toEqual([]);
      for (const client of clients)
        expect(await client.collection('items').query()).toHaveLength(360);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await http.close();
      await database.close();
      postgres.stop();
    }
  });
});
