/**
 * Every push or pull naming a client id the server has not seen registers it, as a row kept
 * for good. Each user may register at most `limits.maxNewClientIdsPerUserPerHour` (up to
 * that many at once): beyond it a request with a new id gets 429 `rate_limited` with
 * Retry-After and registers nothing, while the user's registered ids, and other users,
 * are served as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

const LIMIT = 3;

describe.each(DATABASE_KINDS)('new client ids per user ($name)', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind, { limits: { maxNewClientIdsPerUserPerHour: LIMIT } });
  });
  afterAll(() => server.stop());

  const pull = (token: string, clientId: string) =>
    server.post('/v1/pull', { clientId, cursor: null }, token);
  const push = (token: string, clientId: string, id = 1) =>
    server.post(
      '/v1/push',
      {
        clientId,
        mutations: [{ id, space: 'shared', collection: 'c', key: clientId, op: 'put', value: {} }],
      },
      token,
    );
  const registered = async (userId: string) => {
    const rows = await server.database.query<{ client_id: string }>(
      'SELECT client_id FROM ferry_clients WHERE user_id = $1 ORDER BY client_id',
      [userId],
    );
    return rows.map((r) => r.client_id);
  };

  it('refuses a new client id beyond the limit with 429; registered ids and other users still work', async () => {
    const mallory = await server.token('mallory', ['shared']);
    const alice = await server.token('alice', ['shared']);

    expect((await pull(mallory, 'm-1')).status).toBe(200);
    // Using an id already registered spends nothing, however often.
    for (let i = 0; i < 2 * LIMIT; i++) expect((await pull(mallory, 'm-1')).status).toBe(200);
    expect((await push(mallory, 'm-2')).status).toBe(200);
    expect((await pull(mallory, 'm-3')).status).toBe(200);

    for (const refused of [await push(mallory, 'm-4'), await pull(mallory, 'm-5')]) {
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.body.error.message).toMatch(/new client ids/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await registered('mallory')).toEqual(['m-1', 'm-2', 'm-3']);

    // At the limit, the ids Mallory has keep working, for pushes and pulls.
    expect((await push(mallory, 'm-1', 1)).body.results[0].status).toBe('applied');
    expect((await push(mallory, 'm-2', 2)).body.results[0].status).toBe('applied');
    expect((await pull(mallory, 'm-3')).status).toBe(200);
    // Another user's id is still refused as another user's, not registered or counted.
    expect((await pull(mallory, 'a-1')).status).toBe(429);
    expect((await pull(alice, 'a-1')).status).toBe(200);
    expect((await pull(mallory, 'a-1')).status).toBe(403);

    // Alice's allowance is her own.
    for (const id of ['a-2', 'a-3']) expect((await push(alice, id)).status).toBe(200);
    expect(await registered('alice')).toEqual(['a-1', 'a-2', 'a-3']);
    expect(await registered('mallory')).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('concurrent requests with new ids register no more than the limit', async () => {
    const token = await server.token('burst', ['shared']);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0 ? pull(token, `burst-${i}`) : push(token, `burst-${i}`),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(12 - LIMIT).fill(429)]);
    expect(await registered('burst')).toHaveLength(LIMIT);
  });

  it('a request that registers nothing gives its allowance back', async () => {
    const owner = await server.token('owner', ['shared']);
    const careful = await server.token('careful', ['shared']);
    expect((await pull(owner, 'owned-1')).status).toBe(200);
    // Naming another user's id is refused (403) and registers nothing: nothing is spent.
    for (let i = 0; i < 2 * LIMIT; i++) {
      expect((await pull(careful, 'owned-1')).status).toBe(403);
      expect((await push(careful, 'owned-1')).status).toBe(403);
    }
    // A push whose mutation is rejected still registers its client id: that spends.
    const outside = await server.post(
      '/v1/push',
      {
        clientId: 'careful-1',
        mutations: [{ id: 1, space: 'vault', collection: 'c', key: 'k', op: 'put', value: {} }],
      },
      careful,
    );
    expect(outside.body.results[0].status).toBe('rejected');
    for (const id of ['careful-2', 'careful-3']) expect((await pull(careful, id)).status).toBe(200);
    expect((await pull(careful, 'careful-4')).status).toBe(429);
    expect(await registered('careful')).toEqual(['careful-1', 'careful-2', 'careful-3']);
  });
});
