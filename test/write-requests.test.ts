/**
 * With default options, a live writer makes about one request per write over real HTTP:
 * each write is pushed at once, its push brings the pull back, and the poke of its own
 * commit starts no second run. Another live device still sees every write.
 */
import { createClient, createMemoryStore } from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

const WRITES = 200;

describe.each(DATABASE_KINDS)('requests per write on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it(`${WRITES} writes on a live device make about ${WRITES} requests, and another device sees each`, async () => {
    const requests = { push: 0, pull: 0 };
    const counting: typeof fetch = (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      if (path.endsWith('/v1/push')) requests.push += 1;
      if (path.endsWith('/v1/pull')) requests.pull += 1;
      return fetch(input, init);
    };
    const open = async (user: string, more: { fetch?: typeof fetch } = {}) => {
      const token = await server.token(user, ['shared']);
      return createClient<{ items: { n: number } }>({
        url: server.url,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'shared',
        live: true,
        ...more,
      });
    };
    const a = await open('a', { fetch: counting });
    const b = await open('b');
    let runs = 0;
    try {
      for (const client of [a, b]) {
        await expect
          .poll(() => client.getStatus(), { timeout: 10_000 })
          .toMatchObject({ live: 'open', state: 'idle', lastSuccessAt: expect.any(Number) });
      }
      // What starting took (its first run, the first poke of the connection) is not counted.
      requests.push = 0;
      requests.pull = 0;
      a.on('run', () => {
        runs += 1;
      });

      for (let n = 0; n < WRITES; n++) {
        await a.collection('items').put(`k${n}`, { n });
        await expect
          .poll(() => b.collection('items').get(`k${n}`), { interval: 5, timeout: 10_000 })
          .toEqual({ n });
      }
      await expect
        .poll(() => a.getStatus(), { timeout: 10_000 })
        .toMatchObject({ state: 'idle', pendingCount: 0 });

      // One push per write, each with its pull; a retried request or two at most.
      expect(requests.push).toBeGreaterThanOrEqual(WRITES);
      expect(requests.push + requests.pull).toBeLessThanOrEqual(WRITES + 2);
      expect(runs).toBeLessThanOrEqual(WRITES + 2);
      const seen = await b.collection('items').query();
      expect(seen.map((row) => row.value.n).sort((x, y) => x - y)).toEqual(
        Array.from({ length: WRITES }, (_, n) => n),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
