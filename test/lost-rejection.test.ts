/** Invariant I4 across a lost response: a rejected write is rolled back and reported, never silently dropped. */
import { createClient, createMemoryStore, type RejectionEvent } from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

describe.each(DATABASE_KINDS)('a rejection whose response was lost on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('is still rolled back and reported after the resend', async () => {
    const token = await server.token('lena');
    let dropNextPushResponse = true;
    const client = createClient<{ docs: { v: number } }>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'lena',
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/v1/push') && dropNextPushResponse) {
          dropNextPushResponse = false;
          throw new TypeError('fetch failed: connection reset');
        }
        return response;
      },
    });
    const rejections: RejectionEvent[] = [];
    client.on('rejected', (event) => rejections.push(event));
    const docs = client.collection('docs');
    await docs.put('d', { v: 1 }, { ifVersion: 12345 });
    expect(await docs.get('d')).toEqual({ v: 1 });

    await expect(client.sync()).rejects.toThrow();
    expect(rejections).toEqual([]);
    await client.sync();
    expect(rejections.map((r) => r.code)).toEqual(['conflict']);
    expect(await docs.get('d')).toBeUndefined();
    expect(client.getStatus().pendingCount).toBe(0);
    await client.close();
  });

  it('is reported at the next start when the process died between storing the rollback and reporting it', async () => {
    const token = await server.token('nina');
    const store = createMemoryStore();
    // The store keeps the rollback, then the process "dies" before anything else happens.
    let dieAfterRollback = true;
    const dying: typeof store = {
      ...store,
      async commit(batch) {
        await store.commit(batch);
        if (dieAfterRollback && batch.setMeta?.unreportedRejections !== undefined) {
          dieAfterRollback = false;
          throw new Error('process killed');
        }
      },
    };
    const first = createClient<{ docs: { v: number } }>({
      url: server.url,
      store: dying,
      getToken: () => token,
      defaultSpace: 'nina',
    });
    const seenByFirst: RejectionEvent[] = [];
    first.on('rejected', (event) => seenByFirst.push(event));
    await first.collection('docs').put('d', { v: 1 }, { ifVersion: 777 });
    await first.sync().catch(() => {});
    await first.close();
    expect(seenByFirst).toEqual([]);

    const second = createClient<{ docs: { v: number } }>({
      url: server.url,
      store,
      getToken: () => token,
      defaultSpace: 'nina',
    });
    const seenBySecond: RejectionEvent[] = [];
    second.on('rejected', (event) => seenBySecond.push(event));
    await expect
      .poll(() => seenBySecond.map((r) => [r.code, r.mutation.key]), { timeout: 5000 })
      .toEqual([['conflict', 'd']]);
    expect(await second.collection('docs').get('d')).toBeUndefined();
    // Reported once: a third start has nothing left to report.
    await second.close();
    const third = createClient({
      url: server.url,
      store,
      getToken: () => token,
      defaultSpace: 'nina',
    });
    const seenByThird: RejectionEvent[] = [];
    third.on('rejected', (event) => seenByThird.push(event));
    await third.sync();
    expect(seenByThird).toEqual([]);
    await third.close();
  });
});
