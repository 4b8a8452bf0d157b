/** Invariant I1: a mutation takes effect at most once however often, and however concurrently, it is sent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('exactly once on $name', (kind) => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer(kind);
    token = await server.token('eve');
  });
  afterAll(() => server.stop());

  const put = (id: number, key: string, value: object) => ({
    id,
    space: 'eve',
    collection: 'notes',
    key,
    op: 'put',
    value,
  });

  async function currentState(clientId: string) {
    const pulled = await server.post('/v1/pull', { clientId, cursor: null, limit: 5000 }, token);
    return pulled.body;
  }

  it('the same push sent in parallel is applied once', async () => {
    const body = {
      clientId: 'c-parallel',
      mutations: [put(1, 'p', { v: 'first' }), put(2, 'p', { v: 'second' })],
    };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => server.post('/v1/push', body, token)),
    );
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.body.lastMutationId).toBe(2);
    }
    const applied = responses.flatMap((r) =>
      r.body.results.filter((x: { status: string }) => x.status === 'applied'),
    );
    expect(applied.map((x: { id: number }) => x.id).sort()).toEqual([1, 2]);
    const duplicates = responses.flatMap((r) =>
      r.body.results.filter((x: { status: string }) => x.status === 'duplicate'),
    );
    expect(duplicates).toHaveLength(14);
  });

  it('a retry after a lost response changes nothing, even replaying an older mutation alone', async () => {
    const clientId = 'c-lost';
    // The first send commits; pretend its response never arrived.
    await server.post(
      '/v1/push',
      { clientId, mutations: [put(1, 'k', { v: 'A' }), put(2, 'k', { v: 'B' })] },
      token,
    );
    const before = await currentState(clientId);
    const retry = await server.post(
      '/v1/push',
      { clientId, mutations: [put(1, 'k', { v: 'A' }), put(2, 'k', { v: 'B' })] },
      token,
    );
    expect(retry.body.results).toEqual([
      { id: 1, status: 'duplicate' },
      { id: 2, status: 'duplicate' },
    ]);
    const replayOld = await server.post(
      '/v1/push',
      { clientId, mutations: [put(1, 'k', { v: 'A' })] },
      token,
    );
    expect(replayOld.body.results).toEqual([{ id: 1, status: 'duplicate' }]);
    const after = await currentState(clientId);
    expect(after.changes).toEqual(before.changes);
    expect(after.changes.find((c: { key: string }) => c.key === 'k').value).toEqual({ v: 'B' });
  });

  it('overlapping batches apply only the new part', async () => {
    const clientId = 'c-overlap';
    await server.post(
      '/v1/push',
      {
        clientId,
        mutations: [put(1, 'o1', { n: 1 }), put(2, 'o2', { n: 2 }), put(3, 'o3', { n: 3 })],
      },
      token,
    );
    const overlap = await server.post(
      '/v1/push',
      {
        clientId,
        mutations: [
          put(2, 'o2', { n: 20 }),
          put(3, 'o3', { n: 30 }),
          put(5, 'o5', { n: 5 }),
          put(4, 'o4', { n: 4 }),
        ],
      },
      token,
    );
    // Ids at or below the last processed one are duplicates, including an id that arrives out of order.
    expect(overlap.body.results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'applied',
      'duplicate',
    ]);
    expect(overlap.body.lastMutationId).toBe(5);
    const state = await currentState(clientId);
    const values = Object.fromEntries(
      state.changes
        .filter((c: { key: string }) => c.key.startsWith('o'))
        .map((c: { key: string; value: { n: number } }) => [c.key, c.value.n]),
    );
    expect(values).toEqual({ o1: 1, o2: 2, o3: 3, o5: 5 });
  });

  it('pull reports lastMutationId only once the effects are readable', async () => {
    const clientId = 'c-ack';
    // One client pushes in order while pulls run alongside.
    const pushing = (async () => {
      for (let id = 1; id <= 20; id++) {
        await server.post(
          '/v1/push',
          { clientId, mutations: [put(id, `a${id}`, { i: id })] },
          token,
        );
      }
    })();
    const pulls: Promise<{ body: { changes: { key: string }[]; lastMutationId: number } }>[] = [];
    for (let i = 0; i < 10; i++) {
      pulls.push(server.post('/v1/pull', { clientId, cursor: null, limit: 5000 }, token));
      await new Promise((r) => setTimeout(r, 2));
    }
    await pushing;
    for (const { body } of await Promise.all(pulls)) {
      const keys = new Set(body.changes.map((c) => c.key));
      for (let id = 1; id <= body.lastMutationId; id++) expect(keys.has(`a${id}`)).toBe(true);
    }
  });

  it('a resent rejected mutation is a duplicate that still carries its rejection', async () => {
    const clientId = 'c-rejected-resend';
    const conflicting = {
      id: 1,
      space: 'eve',
      collection: 'notes',
      key: 'exists',
      op: 'put',
      value: {},
      ifVersion: 999,
    };
    const first = await server.post(
      '/v1/push',
      { clientId, mutations: [conflicting, put(2, 'fine', { ok: 1 })] },
      token,
    );
    expect(first.body.results[0]).toMatchObject({
      status: 'rejected',
      error: { code: 'conflict' },
    });
    // The response was lost: the client sends both again.
    const again = await server.post(
      '/v1/push',
      { clientId, mutations: [conflicting, put(2, 'fine', { ok: 1 })] },
      token,
    );
    expect(again.body.results).toEqual([
      { id: 1, status: 'duplicate', error: first.body.results[0].error },
      { id: 2, status: 'duplicate' },
    ]);
  });
});
