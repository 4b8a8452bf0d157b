/**
 * Integers beyond 2^53 − 1 were stored rounded without a word: 9007199254740993 in a pushed
 * value came back as 9007199254740992. A value holding one is now rejected on its own with
 * `invalid`, naming the field, while the rest of the batch applies; records stored with
 * one before still pull.
 */
import { createClient, createMemoryStore, type RejectionEvent } from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

const TOO_BIG =
  /^value\.meta\.ids\[1\] is an integer beyond ±\(2\^53 − 1\).*store big integers as strings/;

describe.each(DATABASE_KINDS)('integers beyond 2^53 - 1 on $name', (kind) => {
  let server: RunningServer;
  let alice: string;
  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.token('alice');
  });
  afterAll(() => server.stop());

  const statusOf = (r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status;

  it('rejects the pushed mutation holding one as invalid and applies the others', async () => {
    // Raw text: JSON.stringify could not write 9007199254740993, which is no double.
    const body = `{"clientId": "big-1", "mutations": [
      {"id": 1, "space": "alice", "collection": "t", "key": "before", "op": "put",
       "value": {"n": 9007199254740991, "f": 1.5e300}},
      {"id": 2, "space": "alice", "collection": "t", "key": "big", "op": "put",
       "value": {"title": "x", "meta": {"ids": [1, 9007199254740993]}}},
      {"id": 3, "space": "alice", "collection": "t", "key": "after", "op": "patch",
       "value": {"n": -9007199254740991}}
    ]}`;
    const pushed = await server.post('/v1/push', body, alice);
    expect(pushed.status).toBe(200);
    expect(pushed.body.results.map(statusOf)).toEqual(['applied', 'invalid', 'applied']);
    expect(pushed.body.results[1].error.message).toMatch(TOO_BIG);
    expect(pushed.body.results[1].error.message).toContain('it reads as 9007199254740992');
    expect(pushed.body.lastMutationId).toBe(3);

    const pulled = await server.post('/v1/pull', { clientId: 'big-1', cursor: null }, alice);
    expect(pulled.status).toBe(200);
    expect(pulled.body.lastMutationId).toBe(3);
    expect(
      pulled.body.changes.map((c: { key: string; value: unknown }) => [c.key, c.value]),
    ).toEqual([
      ['before', { n: 9007199254740991, f: 1.5e300 }],
      ['after', { n: -9007199254740991 }],
    ]);

    // Sent again after a lost response, it is a duplicate that still carries the rejection.
    const again = await server.post('/v1/push', body, alice);
    expect(again.body.results[1]).toMatchObject({
      id: 2,
      status: 'duplicate',
      error: { code: 'invalid' },
    });
  });

  it('rejects a server write holding one, naming the field', async () => {
    const results = await server.write([
      { space: 'alice', collection: 't', key: 'w1', op: 'put', value: { ok: 1 } },
      {
        space: 'alice',
        collection: 't',
        key: 'w2',
        op: 'patch',
        value: { title: 'x', meta: { ids: [1, 2 ** 64] } },
      },
      { space: 'alice', collection: 't', key: 'w3', op: 'put', value: { n: Number.NaN } },
    ]);
    expect(results.map(statusOf)).toEqual(['applied', 'invalid', 'invalid']);
    expect(results[1]).toMatchObject({ error: { message: expect.stringMatching(TOO_BIG) } });
    expect(results[2]).toMatchObject({
      error: { message: 'value.n is NaN, which JSON cannot represent' },
    });
    const [row] = await server.database.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM ferry_records WHERE key IN ('w2', 'w3')`,
    );
    expect(Number(row?.n)).toBe(0);
  });

  it('still pulls, and patches, a record stored with one before it was refused', async () => {
    const [written] = await server.write([
      { space: 'alice', collection: 'old', key: 'r', op: 'put', value: { title: 'x' } },
    ]);
    expect(written?.status).toBe('applied');
    // As a server before this rule stored it: the rounded number, written by JSON.stringify.
    await server.database.query(
      `UPDATE ferry_records SET value = '{"title":"x","id":9007199254740992}' WHERE collection = 'old'`,
    );
    const token = await server.token('alice');
    const rejections: RejectionEvent[] = [];
    const client = createClient<{ old: { title: string; id?: number; done?: boolean } }>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'alice',
      spaces: ['alice'],
    });
    client.on('rejected', (r) => rejections.push(r));
    try {
      await client.sync();
      const old = client.collection('old');
      expect(await old.get('r')).toEqual({ title: 'x', id: 2 ** 53 });
      // Only what a write sends is checked: the other fields may stay as they are.
      await old.patch('r', { done: true });
      await client.sync();
      expect(rejections).toEqual([]);
      expect(client.getStatus().pendingCount).toBe(0);
      expect(await old.get('r')).toEqual({ title: 'x', id: 2 ** 53, done: true });
    } finally {
      await client.close();
    }
  });
});
